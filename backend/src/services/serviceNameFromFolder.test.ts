import { describe, expect, it } from 'vitest';
import { SERVICE_NAME_PATTERN, serviceNameFromFolder } from '@aiplat/api';

describe('the service name a model folder suggests (both IDEs prefill it)', () => {
  it.each([
    ['mount/models/Tiny_GPT2', 'tiny-gpt2'],
    ['mount/models/Tiny_GPT2.v1', 'tiny-gpt2-v1'],
    ['home/alice/2024-model/', 'model'],
    ['home/2024-models/', 'models'],
    [`home/${'a'.repeat(60)}-`, 'a'.repeat(40)],
  ])('%s → %s, a valid name', (folder, name) => {
    expect(serviceNameFromFolder(folder)).toBe(name);
    expect(name).toMatch(SERVICE_NAME_PATTERN);
  });

  it('is empty when nothing of the folder fits', () => {
    expect(serviceNameFromFolder(undefined)).toBe('');
    expect(serviceNameFromFolder('home/2024/')).toBe('');
  });
});
