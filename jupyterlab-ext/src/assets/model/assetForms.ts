import {
  ApiError,
  CreateAssetBodySchema,
  isApiError,
  RedeemShareBodySchema,
  type AnnotationType,
  type ApiClient,
  type Asset,
  type AssetKind,
  type CreateAssetBody,
  type DatasetDataType,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** A contract path (`name`, or the API's `body.name`) → the field that shows it. */
export function assetFieldOfPath(path: string): string {
  return path.replace(/^body\.?/, '').split('.')[0] || 'name';
}

/**
 * Runs `send`; a 409 that names no field (a name already taken) is told at `field`, so the form
 * shows it where the name is typed.
 */
async function conflictAt<T>(field: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    if (isApiError(e) && e.code === 'conflict' && !e.issues?.length) {
      throw new ApiError('conflict', e.message, { status: e.status, issues: [{ path: field, message: e.message }] });
    }
    throw e;
  }
}

export interface AssetCreateValues {
  name: string;
  description: string;
  /** Datasets only. */
  dataType: DatasetDataType;
  /** Datasets only. */
  annotationType: AnnotationType;
}

export const emptyAssetCreateValues = (): AssetCreateValues => ({
  name: '',
  description: '',
  dataType: 'text',
  annotationType: 'none',
});

/** The create request's body: a model has neither data nor annotation type; an empty description is left out. */
export function createBodyOf(kind: AssetKind, values: AssetCreateValues): CreateAssetBody {
  const description = values.description.trim();
  return {
    name: values.name.trim(),
    ...(description ? { description } : {}),
    ...(kind === 'datasets' ? { dataType: values.dataType, annotationType: values.annotationType } : {}),
  };
}

/**
 * The form that creates an empty dataset (name, description, data and annotation type) or model
 * (name, description): problems at their fields as typed (`CreateAssetBodySchema`), the API's after
 * the create (a name already taken at the name).
 */
export class AssetCreateFormModel extends FieldFormModel<AssetCreateValues> {
  constructor(
    connection: IConnectionModel,
    readonly kind: AssetKind,
  ) {
    super(connection, emptyAssetCreateValues());
  }

  protected fieldOfPath(path: string): string {
    return assetFieldOfPath(path);
  }

  protected problems(values: AssetCreateValues): Map<string, string[]> {
    return problemsByField(
      judgedProblems([], CreateAssetBodySchema.safeParse(createBodyOf(this.kind, values))),
      assetFieldOfPath,
    );
  }

  /** Creates it: the new asset, or undefined with the problems at their fields. */
  create(): Promise<Asset | undefined> {
    const body = createBodyOf(this.kind, this._values);
    return this.submit(
      () => this.validate(),
      (client: ApiClient) => conflictAt('name', () => client.createAsset({ params: { kind: this.kind }, body })),
    );
  }
}

export interface RedeemValues {
  token: string;
  /** The name the shared asset takes in the list when the user already has one of its name; empty: its own. */
  name: string;
}

export function redeemBodyOf(values: RedeemValues): { token: string; name?: string } {
  const name = values.name.trim();
  return { token: values.token.trim(), ...(name ? { name } : {}) };
}

/**
 * "Add shared dataset / model": the token (and a local name, needed when the user already has one
 * of the shared asset's name), redeemed read-only. An expired or revoked token (410) is `expired`.
 */
export class RedeemFormModel extends FieldFormModel<RedeemValues> {
  private _expired = false;

  constructor(
    connection: IConnectionModel,
    readonly kind: AssetKind,
  ) {
    super(connection, { token: '', name: '' });
  }

  /** The last redeem was refused because the token expired or was revoked. */
  get expired(): boolean {
    return this._expired;
  }

  protected fieldOfPath(path: string): string {
    return assetFieldOfPath(path) === 'name' ? 'name' : 'token';
  }

  protected problems(values: RedeemValues): Map<string, string[]> {
    return problemsByField(judgedProblems([], RedeemShareBodySchema.safeParse(redeemBodyOf(values))), (path) =>
      this.fieldOfPath(path),
    );
  }

  /** Adds the shared asset: it, or undefined with why not. */
  redeem(): Promise<Asset | undefined> {
    const body = redeemBodyOf(this._values);
    this._expired = false;
    return this.submit(
      () => this.validate(),
      async (client: ApiClient) => {
        try {
          return await client.redeemAssetShare({ params: { kind: this.kind }, body });
        } catch (e) {
          if (isApiError(e) && e.code === 'gone') this._expired = true;
          throw e;
        }
      },
    );
  }
}
