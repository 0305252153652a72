import { GraphQLError } from 'graphql';
import type { ErrorCode } from './codes.js';

export interface FieldProblem {
  /** Input path, e.g. `input.title`. */
  readonly field: string;
  readonly message: string;
}

/**
 * A client-facing error with a registered code. Create through the static factories so that each
 * code is used the same way everywhere; never throw strings.
 */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  private constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
    this.code = code;
  }

  static badUserInput(message: string, problems: readonly FieldProblem[] = []): AppError {
    const field = problems.length === 1 ? problems[0]?.field : undefined;
    return new AppError('BAD_USER_INPUT', message, {
      ...(field !== undefined ? { field } : {}),
      ...(problems.length > 0 ? { problems } : {}),
    });
  }

  /** One invalid field: `AppError.invalidField('first', 'must be between 1 and 100')`. */
  static invalidField(field: string, message: string): AppError {
    return AppError.badUserInput(`Invalid value for ${field}: ${message}`, [{ field, message }]);
  }

  static notFound(type: string, id: string): AppError {
    return new AppError('NOT_FOUND', `${type} ${JSON.stringify(id)} was not found`, { type, id });
  }

  static unauthenticated(message = 'Authentication required'): AppError {
    return new AppError('UNAUTHENTICATED', message);
  }

  static forbidden(message = 'Not allowed', reason?: string): AppError {
    return new AppError('FORBIDDEN', message, reason !== undefined ? { reason } : {});
  }

  /** A subscription's subscriber fell too far behind its events; the subscription ended. */
  static subscriptionOverflow(message = 'The subscription fell too far behind its events and was ended'): AppError {
    return new AppError('SUBSCRIPTION_OVERFLOW', message);
  }

  static conflict(message: string, field?: string): AppError {
    return new AppError('CONFLICT', message, field !== undefined ? { field } : {});
  }
}
