import { AppError, ConflictError } from '../../platform/errors.js';

/** Staff administration refusals. Each names what to do instead. */

export class CannotChangeSelfError extends ConflictError {
  constructor(field: 'roleId' | 'status') {
    super('CANNOT_CHANGE_SELF', 'You cannot change your own role or status; ask another staff manager.', {
      errors: [{ path: `/body/${field}`, message: 'cannot be changed on your own account' }],
    });
  }
}

/** Granting or removing the owner role, or changing an owner, is for owners only. */
export class OwnerOnlyError extends AppError {
  constructor() {
    super(403, 'OWNER_ONLY', 'Permission denied', {
      detail: 'Only an owner can grant, remove or change the owner role.',
    });
  }
}

export class LastOwnerError extends ConflictError {
  constructor() {
    super('LAST_OWNER', 'The shop must keep at least one active owner.');
  }
}

export class NotInvitedError extends ConflictError {
  constructor() {
    super('NOT_INVITED', 'This staff member has already accepted an invitation or has been disabled.');
  }
}

export class InviteNotAcceptedError extends ConflictError {
  constructor() {
    super('INVITE_NOT_ACCEPTED', 'An invited staff member becomes active by accepting the invitation.', {
      errors: [{ path: '/body/status', message: 'an invited staff member cannot be activated directly' }],
    });
  }
}

export class BuiltinRoleError extends ConflictError {
  constructor() {
    super('ROLE_BUILTIN', 'Built-in roles cannot be changed or deleted; create a custom role instead.');
  }
}

export class RoleInUseError extends ConflictError {
  constructor(staffCount: number) {
    super('ROLE_IN_USE', `${staffCount} staff member(s) still have this role; give them another role first.`);
  }
}

export class RoleNameTakenError extends ConflictError {
  constructor() {
    super('ROLE_NAME_TAKEN', 'A role with this name already exists.', {
      errors: [{ path: '/body/name', message: 'is already used by another role' }],
    });
  }
}

export class RoleNotFoundError extends AppError {
  constructor(id: string, path?: string) {
    super(404, 'NOT_FOUND', 'Not found', {
      detail: `Role ${id} was not found.`,
      ...(path ? { errors: [{ path, message: 'no such role' }] } : {}),
    });
  }
}

export class StaffEmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'A staff member with this email already exists.', {
      errors: [{ path: '/body/email', message: 'is already used by another staff member' }],
    });
  }
}
