import * as vscode from 'vscode';
import type { StepFlow } from './stepFlow.js';

/** A choice of a pick step: what it shows and the answer it gives. */
export interface StepItem extends vscode.QuickPickItem {
  value: string;
}

/** How one step is asked. */
export type StepPrompt =
  | {
      kind: 'pick';
      placeholder: string;
      items: StepItem[];
      /** What the server said of the choice made (a 400's issue), shown before the placeholder. */
      problem?: string;
      /**
       * Several items may be picked: the answer is their values joined by `,` (empty: none); the
       * items marked `picked` are picked when the step has no answer yet.
       */
      canPickMany?: boolean;
    }
  | {
      kind: 'input';
      prompt: string;
      /** The value offered when the step has no answer yet. */
      initial: string;
      /** A message saying what to fix, or undefined when the value is fine. */
      validate?: (value: string) => string | undefined;
      /** What the server said of the value given (a 400's issue): shown until the value is edited. */
      problem?: string;
    };

const BACK = Symbol('back');
type StepResult = string | typeof BACK | undefined;

/**
 * Runs a flow as one multi-step quick input: each step shows "title (n/N)", a Back button from the
 * second step on, and the step's earlier answer (when going back or forward again). Resolves true
 * when every step is answered, false when the user cancels (Escape, focus lost is ignored).
 */
export async function runMultiStepInput<Id extends string>(
  title: string,
  flow: StepFlow<Id>,
  describe: (id: Id) => StepPrompt,
): Promise<boolean> {
  for (let id = flow.current; id !== undefined; id = flow.current) {
    const prompt = describe(id);
    const common = { title, step: flow.stepNumber, totalSteps: flow.totalSteps, back: flow.canGoBack };
    const result =
      prompt.kind === 'pick'
        ? await showPick(prompt, flow.value(id), common)
        : await showInput(prompt, flow.value(id) ?? prompt.initial, common);
    if (result === undefined) return false;
    if (result === BACK) flow.back();
    else flow.answer(result);
  }
  return true;
}

interface Common {
  title: string;
  step: number;
  totalSteps: number;
  back: boolean;
}

function configure(input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] }, common: Common): void {
  input.title = common.title;
  input.step = common.step;
  input.totalSteps = common.totalSteps;
  input.ignoreFocusOut = true;
  input.buttons = common.back ? [vscode.QuickInputButtons.Back] : [];
}

function showPick(
  prompt: Extract<StepPrompt, { kind: 'pick' }>,
  current: string | undefined,
  common: Common,
): Promise<StepResult> {
  const pick = vscode.window.createQuickPick<StepItem>();
  configure(pick, common);
  pick.placeholder = prompt.problem ? `${prompt.problem} — ${prompt.placeholder}` : prompt.placeholder;
  pick.items = prompt.items;
  if (prompt.canPickMany) {
    pick.canSelectMany = true;
    const values = current?.split(',');
    pick.selectedItems = prompt.items.filter((item) => (values ? values.includes(item.value) : item.picked));
    return settle(pick, (resolve) => [
      pick.onDidAccept(() => resolve(pick.selectedItems.map((item) => item.value).join(','))),
    ]);
  }
  const chosen = prompt.items.find((item) => item.value === current);
  if (chosen) pick.activeItems = [chosen];
  return settle(pick, (resolve) => [
    pick.onDidAccept(() => {
      const [item] = pick.selectedItems.length > 0 ? pick.selectedItems : pick.activeItems;
      if (item) resolve(item.value);
    }),
  ]);
}

function showInput(prompt: Extract<StepPrompt, { kind: 'input' }>, value: string, common: Common): Promise<StepResult> {
  const box = vscode.window.createInputBox();
  configure(box, common);
  box.prompt = prompt.prompt;
  box.value = value;
  box.validationMessage = prompt.problem;
  const check = (text: string) => prompt.validate?.(text);
  return settle(box, (resolve) => [
    box.onDidChangeValue((text) => {
      box.validationMessage = check(text);
    }),
    box.onDidAccept(() => {
      const problem = check(box.value);
      box.validationMessage = problem;
      if (problem === undefined) resolve(box.value);
    }),
  ]);
}

/** Shows `input` until it is accepted, Back is pressed or it is hidden; then disposes it. */
function settle(
  input: vscode.QuickInput & { onDidTriggerButton: vscode.Event<vscode.QuickInputButton> },
  listen: (resolve: (result: StepResult) => void) => vscode.Disposable[],
): Promise<StepResult> {
  return new Promise<StepResult>((resolve) => {
    const disposables: vscode.Disposable[] = [];
    let settled = false;
    const finish = (result: StepResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
      for (const disposable of disposables) disposable.dispose();
      input.dispose();
    };
    disposables.push(
      ...listen(finish),
      input.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) finish(BACK);
      }),
      input.onDidHide(() => finish(undefined)),
    );
    input.show();
  });
}
