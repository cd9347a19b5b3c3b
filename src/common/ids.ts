import { v7 } from 'uuid';

/**
 * The id of a new row: a UUID version 7 (RFC 9562), whose first 48 bits are the creation
 * time in milliseconds, so ids made one after another sort one after another. A row's
 * primary key and the indexes that lead with it then grow at their right-hand end, instead
 * of at a random page each: a 1,000-row import chunk dirties a few index pages, not a
 * thousand (InnoDB clusters rows by primary key; SQLite writes every dirty page to its
 * journal at commit). Still a UUID: the API's contract and its validation are unchanged.
 * Not a secret: a token or nonce uses crypto's randomUUID() or randomBytes().
 */
export const newId = (): string => v7();
