import { JobSpecSchema, isApiError, type JobDetail, type JobSpecInput } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { IConnectionModel } from '../../tokens.js';
import {
  fieldForIssuePath,
  formFieldKeys,
  parseHyperparameters,
  specFromValues,
  valuesFromSpec,
  type FieldIssue,
  type JobFormValues,
} from './jobFormValues.js';

export interface SubmitOptions {
  /** Check with the contract's schema before sending (default); off sends as typed, for the server to judge. */
  validateFirst?: boolean;
}

/**
 * The new-job form: its values, every problem at its field (from the contract's `JobSpecSchema`
 * before sending, and from the API's 400 `issues` after), and the submit.
 */
export class JobFormModel extends ChangingModel {
  private readonly _connection: IConnectionModel;
  private _values: JobFormValues;
  private _errors = new Map<string, string[]>();
  private _generalErrors: string[] = [];
  private _submitting = false;
  private _validated = false;

  constructor(connection: IConnectionModel, prefill?: Partial<JobSpecInput>) {
    super();
    this._connection = connection;
    this._values = valuesFromSpec(prefill);
  }

  get values(): JobFormValues {
    return this._values;
  }

  /** The fields shown for the current mode. */
  get fieldKeys(): string[] {
    return formFieldKeys(this._values);
  }

  /** Problems by field key. */
  get errors(): ReadonlyMap<string, readonly string[]> {
    return this._errors;
  }

  /** Problems that belong to no field (network, permissions...). */
  get generalErrors(): readonly string[] {
    return this._generalErrors;
  }

  get submitting(): boolean {
    return this._submitting;
  }

  /**
   * Changes some values. Once the form was checked (a submit), it is checked again on every change;
   * the hyperparameters JSON is checked as it is typed.
   */
  update(values: Partial<JobFormValues>): void {
    this._values = { ...this._values, ...values };
    if (this._validated) this.validate();
    else if (values.hyperparameters !== undefined) this._checkHyperparameters();
    this.emit();
  }

  private _checkHyperparameters(): void {
    const issues: FieldIssue[] = [];
    parseHyperparameters(this._values.hyperparameters, issues);
    this._errors.delete('hyperparameters');
    this._setIssues(issues, false);
  }

  /** Checks the values with the contract's schema; true when there is nothing to fix. */
  validate(): boolean {
    this._validated = true;
    const { spec, issues } = specFromValues(this._values);
    const parsed = JobSpecSchema.safeParse(spec);
    const all = [...issues];
    if (!parsed.success) {
      for (const issue of parsed.error.issues) all.push({ field: issue.path.join('.'), message: issue.message });
    }
    this._errors = new Map();
    this._generalErrors = [];
    this._setIssues(all, true);
    this.emit();
    return all.length === 0;
  }

  /** Puts issues at their fields; `mapPaths` maps spec paths to the fields that show them. */
  private _setIssues(issues: readonly FieldIssue[], mapPaths: boolean): void {
    const keys = this.fieldKeys;
    for (const issue of issues) {
      const field = mapPaths ? fieldForIssuePath(issue.field, keys) : issue.field;
      if (field === undefined) {
        this._generalErrors.push(issue.field ? `${issue.field}: ${issue.message}` : issue.message);
        continue;
      }
      const list = this._errors.get(field) ?? [];
      if (!list.includes(issue.message)) list.push(issue.message);
      this._errors.set(field, list);
    }
  }

  /** Submits the job; its detail, or undefined with the problems at their fields. */
  async submit(options: SubmitOptions = {}): Promise<JobDetail | undefined> {
    if (this._submitting) return undefined;
    if ((options.validateFirst ?? true) && !this.validate()) return undefined;
    const client = this._connection.client;
    this._errors = new Map();
    this._generalErrors = [];
    if (!client) {
      this._generalErrors.push('not connected to the AI Platform server');
      this.emit();
      return undefined;
    }
    const { spec, issues } = specFromValues(this._values);
    if (issues.length > 0) {
      this._setIssues(issues, false);
      this.emit();
      return undefined;
    }
    this._submitting = true;
    this.emit();
    try {
      // The server judges the spec with the same schema; its 400 names every field at fault.
      return await client.createJob({ body: { spec: spec as JobSpecInput } });
    } catch (e) {
      if (isApiError(e) && e.issues?.length) {
        this._setIssues(
          e.issues.map((i) => ({ field: i.path, message: i.message })),
          true,
        );
      } else {
        this._generalErrors.push(e instanceof Error ? e.message : String(e));
      }
      return undefined;
    } finally {
      this._submitting = false;
      this.emit();
    }
  }
}
