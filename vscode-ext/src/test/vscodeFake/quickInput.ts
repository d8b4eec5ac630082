import { BACK_BUTTON, fake } from './state.js';
import { EventEmitter, ThemeIcon } from './values.js';

export const QuickInputButtons = { Back: { iconPath: new ThemeIcon('arrow-left'), tooltip: 'Back' } } as const;

/**
 * The shared part of `createQuickPick`/`createInputBox`: on `show()` the next scripted answer
 * is given (after a tick, like a user): Back presses the Back button, `undefined` hides (Escape).
 */
abstract class FakeQuickInput {
  title?: string;
  step?: number;
  totalSteps?: number;
  ignoreFocusOut = false;
  buttons: readonly unknown[] = [];
  value = '';
  hidden = false;
  disposed = false;
  protected readonly accepted = new EventEmitter<void>();
  protected readonly hid = new EventEmitter<void>();
  protected readonly triggered = new EventEmitter<unknown>();
  readonly onDidAccept = this.accepted.event;
  readonly onDidHide = this.hid.event;
  readonly onDidTriggerButton = this.triggered.event;

  protected abstract record(): void;
  protected abstract nextAnswer(): string | undefined | typeof BACK_BUTTON;
  protected abstract accept(answer: string): void;

  show(): void {
    this.record();
    setTimeout(() => this.answer(), 0);
  }

  private answer(): void {
    if (this.hidden || this.disposed) return;
    const answer = this.nextAnswer();
    if (answer === BACK_BUTTON) {
      if (!this.buttons.includes(QuickInputButtons.Back)) throw new Error('Back pressed where there is no Back button');
      this.triggered.fire(QuickInputButtons.Back);
    } else if (answer === undefined) this.hide();
    else {
      this.accept(answer);
      // Still shown (the value was refused): the user types the next answer.
      setTimeout(() => this.answer(), 0);
    }
  }

  hide(): void {
    if (this.hidden) return;
    this.hidden = true;
    this.hid.fire();
  }

  dispose(): void {
    if (this.disposed) return;
    this.hide();
    this.disposed = true;
  }

  protected get back(): boolean {
    return this.buttons.includes(QuickInputButtons.Back);
  }
}

export class FakeQuickPick extends FakeQuickInput {
  placeholder?: string;
  items: readonly { label: string }[] = [];
  activeItems: readonly { label: string }[] = [];
  selectedItems: readonly { label: string }[] = [];
  canSelectMany = false;

  protected record(): void {
    fake.quickPicks.push({
      title: this.title,
      placeHolder: this.placeholder,
      labels: this.items.map((item) => item.label),
      ...(this.canSelectMany ? { picked: this.selectedItems.map((item) => item.label) } : {}),
      step: this.step,
      totalSteps: this.totalSteps,
      back: this.back,
      ...(this.activeItems[0] ? { active: this.activeItems[0].label } : {}),
    });
  }

  protected nextAnswer() {
    return fake.quickPickAnswers.shift();
  }

  protected accept(answer: string): void {
    if (this.canSelectMany) {
      // Several items: their labels joined by " + " (an empty answer picks none), like showQuickPick.
      this.selectedItems = answer === '' ? [] : answer.split(' + ').map((label) => this.find(label));
      this.accepted.fire();
      return;
    }
    this.selectedItems = [this.find(answer)];
    this.accepted.fire();
  }

  private find(label: string): { label: string } {
    const found = this.items.find((item) => item.label === label);
    if (!found) throw new Error(`quick pick has no item "${label}": ${this.items.map((i) => i.label).join(', ')}`);
    return found;
  }
}

export class FakeInputBox extends FakeQuickInput {
  prompt?: string;
  password = false;
  validationMessage: string | undefined;
  private readonly changed = new EventEmitter<string>();
  readonly onDidChangeValue = this.changed.event;

  protected record(): void {
    fake.inputBoxes.push({
      title: this.title,
      prompt: this.prompt,
      value: this.value,
      password: this.password,
      ...(this.validationMessage ? { validationMessage: this.validationMessage } : {}),
      step: this.step,
      totalSteps: this.totalSteps,
      back: this.back,
    });
  }

  protected nextAnswer() {
    return fake.inputBoxAnswers.shift();
  }

  protected accept(answer: string): void {
    this.value = answer;
    this.changed.fire(answer);
    this.accepted.fire();
  }
}
