import {
  SaveImageBodySchema,
  type ConnectionState,
  type EventMessage,
  type ImageSave,
  type ImageSavePreview,
  type SaveImageBody,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import { errorMessage } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** The form's values as typed. */
export interface ImageSaveValues {
  repository: string;
  tag: string;
  comment: string;
  /** Exclude patterns, one a line; empty: the server's defaults (caches). */
  excludes: string;
}

/** Where the save is: filling the form, looking at the preview, saving, or ended (see `save.state`). */
export type ImageSaveStep = 'form' | 'preview' | 'saving' | 'ended';

export const DEFAULT_IMAGE_TAG = 'v1';

const ENDED: ReadonlySet<ImageSave['state']> = new Set(['Succeeded', 'Failed', 'Cancelled']);

export function saveEnded(save: ImageSave): boolean {
  return ENDED.has(save.state);
}

/**
 * A repository named after a dev machine: lowercase letters and digits, other characters as single
 * `-` (a registry's rules: `My_Box 2` → `my-box-2`).
 */
export function repositoryFromName(name: string): string {
  const repository = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return repository || 'environment';
}

/** A contract path (`body.repository`, `excludes.2`) → the field that shows it. */
export function fieldOfPath(path: string): string {
  return path.replace(/^body\.?/, '').split('.')[0] || 'repository';
}

/** The exclude lines as patterns, or undefined for the server's defaults. */
export function parseExcludes(text: string): string[] | undefined {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return patterns.length > 0 ? patterns : undefined;
}

/** How far a save is: the share of its bytes pushed, when the total is known. */
export function saveFraction(save: ImageSave): number | undefined {
  const { bytes, totalBytes } = save.progress;
  if (save.state === 'Succeeded') return 1;
  if (!totalBytes) return undefined;
  return Math.min(1, bytes / totalBytes);
}

/**
 * "Save environment as image" of one running dev machine: the name and tag checked as typed (the
 * contract's `SaveImageBodySchema`; the API's 400 at its fields), a preview of what the new layer
 * holds, then the save, followed on the `image-saves` topic (read again from `listImageSaves` when
 * the connection comes back) until it ends; cancel while it runs.
 */
export class ImageSaveModel extends FieldFormModel<ImageSaveValues> {
  private _preview: ImageSavePreview | undefined;
  private _save: ImageSave | undefined;
  /** Events of saves seen while the save request is in flight (the first may come before its answer). */
  private readonly _early = new Map<string, ImageSave>();
  private _unsubscribe: (() => void) | undefined;
  private _cancelling = false;

  constructor(
    connection: IConnectionModel,
    readonly devMachine: { id: string; name: string },
    values: Partial<ImageSaveValues> = {},
  ) {
    super(connection, {
      repository: repositoryFromName(devMachine.name),
      tag: DEFAULT_IMAGE_TAG,
      comment: '',
      excludes: '',
      ...values,
    });
    connection.stateChanged.connect(this._onConnection, this);
    this.validate();
    void this.resume();
  }

  /**
   * Follows a save of this dev machine that still runs (the view was closed while it ran and opened
   * again): the form then shows its progress.
   */
  async resume(): Promise<void> {
    const client = this.connection.client;
    if (!client || this._save) return;
    this._subscribe();
    try {
      const running = (await client.listImageSaves()).saves.find(
        (s) => s.devMachineId === this.devMachine.id && !saveEnded(s),
      );
      if (!running || this._save || this.isDisposed) return;
      this._save = this._early.get(running.id) ?? running;
      this.emit();
    } catch {
      // Nothing to follow then: the form starts empty, as when no save runs.
    }
  }

  get step(): ImageSaveStep {
    if (this._save) return saveEnded(this._save) ? 'ended' : 'saving';
    return this._preview ? 'preview' : 'form';
  }

  get preview(): ImageSavePreview | undefined {
    return this._preview;
  }

  /** The save once started: its state and progress as the topic tells them. */
  get save(): ImageSave | undefined {
    return this._save;
  }

  get cancelling(): boolean {
    return this._cancelling;
  }

  /** The reference of the saved image, once the save Succeeded. */
  get savedRef(): string | undefined {
    return this._save?.state === 'Succeeded' ? (this._save.image?.ref ?? this._save.ref) : undefined;
  }

  protected fieldOfPath(path: string): string {
    return fieldOfPath(path);
  }

  /** The request the values describe. */
  body(): SaveImageBody {
    const v = this._values;
    const excludes = parseExcludes(v.excludes);
    return {
      repository: v.repository.trim(),
      tag: v.tag.trim(),
      ...(v.comment.trim() ? { comment: v.comment.trim() } : {}),
      ...(excludes ? { excludes } : {}),
    };
  }

  protected problems(): Map<string, string[]> {
    return problemsByField(judgedProblems([], SaveImageBodySchema.safeParse(this.body())), fieldOfPath);
  }

  /** Asks what the new layer would hold; the preview step shows it. */
  async loadPreview(): Promise<boolean> {
    const excludes = parseExcludes(this._values.excludes);
    const preview = await this.submit(
      () => this.validate(),
      (client) => client.previewImageSave({ params: { id: this.devMachine.id }, body: excludes ? { excludes } : {} }),
    );
    if (!preview) return false;
    this._preview = preview;
    this.emit();
    return true;
  }

  /** Back to the form with the exclude patterns the preview used, to change them. */
  editExcludes(): void {
    const preview = this._preview;
    if (!preview || this._save) return;
    this.update({ excludes: preview.excludes.map((x) => x.pattern).join('\n') });
    this.edit();
  }

  /** Back from the preview to the form. */
  edit(): void {
    if (this._save && !saveEnded(this._save)) return;
    this._preview = undefined;
    this._save = undefined;
    this.emit();
  }

  /** Starts the save; its progress then comes from the `image-saves` topic. */
  async start(): Promise<boolean> {
    if (this._save && !saveEnded(this._save)) return false;
    this._subscribe();
    this._early.clear();
    const started = await this.submit(
      () => this.validate(),
      (client) => client.saveImage({ params: { id: this.devMachine.id }, body: this.body() }),
    );
    if (!started) return false;
    this._save = this._early.get(started.id) ?? started;
    this._early.clear();
    this.emit();
    return true;
  }

  /** Asks the server to stop the save; the topic says when it is Cancelled. */
  async cancel(): Promise<void> {
    const save = this._save;
    const client = this.connection.client;
    if (!save || saveEnded(save) || !client || this._cancelling) return;
    this._cancelling = true;
    this.emit();
    try {
      this._apply(await client.cancelImageSave({ params: { id: save.id } }));
    } catch (e) {
      this.setGeneralErrors([errorMessage(e)]);
    } finally {
      this._cancelling = false;
      this.emit();
    }
  }

  /** Reads the save again (after the connection came back: events may have been missed). */
  async reload(): Promise<void> {
    const save = this._save;
    const client = this.connection.client;
    if (!save || saveEnded(save) || !client) return;
    try {
      const found = (await client.listImageSaves()).saves.find((s) => s.id === save.id);
      if (found) this._apply(found);
    } catch (e) {
      this.setGeneralErrors([errorMessage(e)]);
    }
  }

  /** A newer state of the save shown; an ended save stays ended. */
  private _apply(save: ImageSave): void {
    const current = this._save;
    if (!current || current.id !== save.id || saveEnded(current)) return;
    this._save = save;
    this.emit();
  }

  private _onEvent(event: EventMessage): void {
    if (event.kind !== 'image-saves') return;
    const save = event.data;
    if (save.devMachineId !== this.devMachine.id) return;
    if (this._save) this._apply(save);
    else this._early.set(save.id, save);
  }

  private _subscribe(): void {
    if (this._unsubscribe) return;
    const events = this.connection.events;
    if (!events) return;
    this._unsubscribe = events.subscribe('image-saves', (event) => this._onEvent(event));
  }

  private _onConnection(_: unknown, state: ConnectionState): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    if (state.status !== 'connected' || !this._save || saveEnded(this._save)) return;
    this._subscribe();
    void this.reload();
  }

  protected override onDispose(): void {
    this._unsubscribe?.();
    this.connection.stateChanged.disconnect(this._onConnection, this);
  }
}
