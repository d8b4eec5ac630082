import { isApiError, type ApiClient } from '@aiplat/api';
import type { IConnectionModel } from '../tokens.js';
import { ChangingModel } from './changingModel.js';

/** A problem at a field: its key in the form (or a contract path, mapped to a key by `fieldOfPath`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** What a contract schema's `safeParse` answers: its issues when it refuses. */
interface Judgement {
  error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } | undefined;
}

/** The typing's problems, then the contract's (`schema.safeParse(input)`), each at its path. */
export function judgedProblems(typed: readonly FieldProblem[], judgement: Judgement): FieldProblem[] {
  const issues = judgement.error?.issues ?? [];
  return [...typed, ...issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }))];
}

/** Problems by field, each message once; `fieldOf` maps a contract path to the field that shows it. */
export function problemsByField(
  problems: Iterable<FieldProblem>,
  fieldOf: (path: string) => string,
): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const problem of problems) {
    const field = fieldOf(problem.field);
    const list = byField.get(field) ?? [];
    if (!list.includes(problem.message)) list.push(problem.message);
    byField.set(field, list);
  }
  return byField;
}

/**
 * A form's values as typed, each problem at its field as it is typed (`problems` judges, with the
 * contract's schema), and one request at a time whose API 400 `issues` land at their fields.
 */
export abstract class FieldFormModel<V extends object> extends ChangingModel {
  protected _values: V;
  private _errors = new Map<string, string[]>();
  private _generalErrors: string[] = [];
  private _busy = false;

  protected constructor(
    protected readonly connection: IConnectionModel,
    values: V,
  ) {
    super();
    this._values = values;
  }

  get values(): V {
    return this._values;
  }

  get errors(): ReadonlyMap<string, readonly string[]> {
    return this._errors;
  }

  get generalErrors(): readonly string[] {
    return this._generalErrors;
  }

  /** A request is in flight. */
  get busy(): boolean {
    return this._busy;
  }

  /** Every problem of `values` by field. */
  protected abstract problems(values: V): Map<string, string[]>;

  /** The field that shows a contract path (the API's `body.spec.…` too). */
  protected abstract fieldOfPath(path: string): string;

  /** The fields whose problems a change of `key` may show or clear. */
  protected fieldsOfKey(key: keyof V & string): string[] {
    return [key];
  }

  /** Changes values; the fields changed are checked at once (the others keep what they showed). */
  update(values: Partial<V>): void {
    this._values = { ...this._values, ...values };
    const problems = this.problems(this._values);
    for (const key of Object.keys(values) as (keyof V & string)[]) {
      for (const field of this.fieldsOfKey(key)) {
        const found = problems.get(field);
        if (found) this._errors.set(field, found);
        else this._errors.delete(field);
      }
    }
    this.emit();
  }

  /** Checks every field; true when there is nothing to fix (of the fields `counts` keeps, when given). */
  validate(counts: (field: string) => boolean = () => true): boolean {
    this._errors = this.problems(this._values);
    this._generalErrors = [];
    this.emit();
    return ![...this._errors.keys()].some(counts);
  }

  /** Shows problems that belong to no field, above the form's button. */
  protected setGeneralErrors(messages: string[]): void {
    this._generalErrors = messages;
    this.emit();
  }

  /**
   * Sends one request, unless one is in flight or `ready` finds problems: its answer, or undefined
   * with the API's issues at their fields (anything else above the form's button).
   */
  protected async submit<T>(ready: () => boolean, send: (client: ApiClient) => Promise<T>): Promise<T | undefined> {
    if (this._busy || !ready()) return undefined;
    const client = this.connection.client;
    if (!client) {
      this.setGeneralErrors(['not connected to the AI Platform server']);
      return undefined;
    }
    this._busy = true;
    this.emit();
    try {
      return await send(client);
    } catch (e) {
      if (isApiError(e) && e.issues?.length) {
        for (const issue of e.issues) {
          const field = this.fieldOfPath(issue.path);
          this._errors.set(field, [...(this._errors.get(field) ?? []), issue.message]);
        }
      } else {
        this._generalErrors = [e instanceof Error ? e.message : String(e)];
      }
      return undefined;
    } finally {
      this._busy = false;
      this.emit();
    }
  }
}
