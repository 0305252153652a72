import { AppError, type FieldProblem } from '@supergraph/errors';

/**
 * Collects every problem of one input before failing, so that a client sees all invalid fields at
 * once (`extensions.problems`) rather than one per round trip.
 */
export class InputValidator {
  private readonly problems: FieldProblem[] = [];

  /** A trimmed string of `min`–`max` characters; returns the trimmed value. */
  text(field: string, value: string, min: number, max: number): string {
    const trimmed = value.trim();
    if (trimmed.length < min)
      this.problems.push({ field, message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` });
    else if (trimmed.length > max) this.problems.push({ field, message: `must be at most ${max} characters` });
    return trimmed;
  }

  check(condition: boolean, field: string, message: string): void {
    if (!condition) this.problems.push({ field, message });
  }

  /** Throws BAD_USER_INPUT listing every problem found, if any. */
  done(): void {
    if (this.problems.length === 0) return;
    const summary = this.problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw AppError.badUserInput(`Invalid input: ${summary}`, this.problems);
  }
}
