/*
 * A guided flow's position and answers, apart from any UI (pure TypeScript): which step is shown,
 * "step n of N", going back with the answer kept, going forward again with the answers kept. The
 * quick-input runner (multiStepInput.ts) shows what this says; the tests drive it directly.
 */

export type Answers<Id extends string> = Partial<Record<Id, string>>;

/** One step: its id and, for a step that depends on earlier answers, whether it is asked. */
export interface FlowStep<Id extends string> {
  id: Id;
  applies?: (answers: Readonly<Answers<Id>>) => boolean;
}

export class StepFlow<Id extends string> {
  private readonly answers: Answers<Id>;
  /** The steps answered, in order: Back pops the last one (its answer stays as the next default). */
  private readonly history: Id[] = [];

  /** `initial`: answers offered from the start (e.g. a version's settings to change). */
  constructor(
    private readonly steps: readonly FlowStep<Id>[],
    initial: Answers<Id> = {},
  ) {
    this.answers = { ...initial };
  }

  /** The step to ask now; undefined once every step that applies is answered. */
  get current(): Id | undefined {
    const last = this.history.at(-1);
    const from = last === undefined ? 0 : this.steps.findIndex((s) => s.id === last) + 1;
    return this.steps.slice(from).find((s) => this.applies(s))?.id;
  }

  get done(): boolean {
    return this.current === undefined;
  }

  /** 1-based number of the current step. */
  get stepNumber(): number {
    return this.history.length + 1;
  }

  /** How many steps the flow has with the answers so far (a choice may add or remove steps). */
  get totalSteps(): number {
    return this.steps.filter((s) => this.applies(s)).length;
  }

  /** Whether there is a step to go back to. */
  get canGoBack(): boolean {
    return this.history.length > 0;
  }

  /** The answer given to a step, kept when going back and forth. */
  value(id: Id): string | undefined {
    return this.answers[id];
  }

  /** Answers the current step and moves to the next one. */
  answer(value: string): void {
    const id = this.current;
    if (id === undefined) throw new Error('the flow is done');
    this.answers[id] = value;
    this.history.push(id);
  }

  /** Goes back to the previous step (false on the first one). */
  back(): boolean {
    return this.history.pop() !== undefined;
  }

  /**
   * Goes back to an answered step to change it (the server named it in a 400), the steps before it
   * counted as answered. False when the step does not apply to the answers.
   */
  goTo(id: Id): boolean {
    const index = this.steps.findIndex((s) => s.id === id);
    const step = this.steps[index];
    if (!step || !this.applies(step)) return false;
    this.history.length = 0;
    for (const before of this.steps.slice(0, index)) if (this.applies(before)) this.history.push(before.id);
    return true;
  }

  /** The answers of the steps that apply: what the flow produced. */
  values(): Answers<Id> {
    const out: Answers<Id> = {};
    for (const step of this.steps) {
      const value = this.answers[step.id];
      if (this.applies(step) && value !== undefined) out[step.id] = value;
    }
    return out;
  }

  private applies(step: FlowStep<Id>): boolean {
    return step.applies?.(this.answers) ?? true;
  }
}
