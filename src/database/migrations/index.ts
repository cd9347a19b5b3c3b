import { InitialSchema1764316800000 } from './1764316800000-initial-schema';
import { SearchAndMemberIndexes1764403200000 } from './1764403200000-search-and-member-indexes';
import { ImportChunks1764489600000 } from './1764489600000-import-chunks';
import { EmailsAccentSensitive1764576000000 } from './1764576000000-emails-accent-sensitive';
import { MailLogAndRecovery1764662400000 } from './1764662400000-mail-log-and-recovery';
import { FoldedNames1764748800000 } from './1764748800000-folded-names';
import { ImportBatchHeader1764792000000 } from './1764792000000-import-batch-header';
import { ScimProvisioning1765008000000 } from './1765008000000-scim-provisioning';
import { MailLogListing1765180800000 } from './1765180800000-mail-log-listing';
import { AccountLifecycle1765267200000 } from './1765267200000-account-lifecycle';
import { UserNameWords1765353600000 } from './1765353600000-user-name-words';
import { PersonalData1765440000000 } from './1765440000000-personal-data';
import { SingleSignOn1765353600000 } from './1765353600000-single-sign-on';
import { InstituteRequests1765526400000 } from './1765526400000-institute-requests';
import { MemberSearchIndex1765612800000 } from './1765612800000-member-search-index';
import { SqliteMillisecondTimes1765612800001 } from './1765612800001-sqlite-millisecond-times';
import { MemberSearchKeys1765785600000 } from './1765785600000-member-search-keys';
import { NameWordsBeyondFirst1765699200000 } from './1765699200000-name-words-beyond-first';

/** Listed explicitly (not globbed) so the same list works from ts-jest and from dist/. */
export const migrations = [
  InitialSchema1764316800000,
  SearchAndMemberIndexes1764403200000,
  ImportChunks1764489600000,
  EmailsAccentSensitive1764576000000,
  MailLogAndRecovery1764662400000,
  FoldedNames1764748800000,
  ImportBatchHeader1764792000000,
  ScimProvisioning1765008000000,
  MailLogListing1765180800000,
  AccountLifecycle1765267200000,
  UserNameWords1765353600000,
  SingleSignOn1765353600000,
  PersonalData1765440000000,
  InstituteRequests1765526400000,
  MemberSearchIndex1765612800000,
  SqliteMillisecondTimes1765612800001,
  NameWordsBeyondFirst1765699200000,
  MemberSearchKeys1765785600000,
];
