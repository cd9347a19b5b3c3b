/** What an in-app notification reports. The frontend picks its rendering from `type`. */
export enum NotificationType {
  /** To managers (or staff): a teacher registered and waits for activation. */
  TeacherPending = 'teacher.pending',
  /** To the teacher: a manager activated or rejected them. */
  MemberActivated = 'member.activated',
  MemberRejected = 'member.rejected',
  /** To staff: a professional registered and waits for validation. */
  ProfessionalPending = 'professional.pending',
  /** To the professional: staff approved or rejected them. */
  ProfessionalApproved = 'professional.approved',
  ProfessionalRejected = 'professional.rejected',
  /** To the uploader: a student import finished. */
  ImportFinished = 'import.finished',
}

export interface NewNotification {
  userId: string;
  type: NotificationType;
  title: string;
  /** Ids, names and links the frontend renders. Never a secret. */
  data?: Record<string, unknown>;
}
