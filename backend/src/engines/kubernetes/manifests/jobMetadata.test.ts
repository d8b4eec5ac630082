import { JobSpecSchema } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { jobMetadata, labelValue, MAX_OBJECT_NAME, objectName, priorityClassName, specHash } from './jobMetadata.js';
import { DDP_TEST_SPEC, testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

const options = testOptions('carol', 'job-20261123-0003');

const spec = DDP_TEST_SPEC;

const DNS_1123_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('objectName', () => {
  it('keeps an id that is already a DNS-1123 label', () => {
    expect(objectName('job-20261123-0001')).toBe('job-20261123-0001');
  });

  it.each(['Job_20261123.0001', '0042', '_x_', 'a'.repeat(64), 'ÄÖÜ', 'job-1.', 'JOB'])(
    'makes a DNS-1123 label of %j',
    (id) => {
      const name = objectName(id);
      expect(name).toMatch(DNS_1123_LABEL);
      expect(name.length).toBeLessThanOrEqual(MAX_OBJECT_NAME);
    },
  );

  it('gives ids that differ only in case or punctuation different names', () => {
    expect(objectName('Job-1')).not.toBe(objectName('job-1'));
    expect(objectName('job_1')).not.toBe(objectName('job.1'));
  });
});

describe('labels and annotations', () => {
  it('carry job id, user, spec hash and the Kueue queue and priority class', () => {
    const meta = jobMetadata(spec, options);
    expect(meta.name).toBe('job-20261123-0003');
    expect(meta.namespace).toBe('aiplat-carol');
    expect(meta.labels).toEqual({
      'app.kubernetes.io/managed-by': 'aiplat',
      'aiplat.io/job-id': 'job-20261123-0003',
      'aiplat.io/user': 'carol',
      'aiplat.io/spec-hash': specHash(spec),
      'kueue.x-k8s.io/queue-name': 'gpu-a100',
      'kueue.x-k8s.io/priority-class': 'p2',
    });
    expect(meta.annotations).toEqual({
      'aiplat.io/job-id': 'job-20261123-0003',
      'aiplat.io/user': 'carol',
      'aiplat.io/spec-hash': specHash(spec),
    });
  });

  it('keep the exact user in the annotation when the label had to change', () => {
    const meta = jobMetadata(spec, { ...options, user: 'zhang.san@example.com' });
    expect(meta.labels['aiplat.io/user']).toMatch(LABEL_VALUE);
    expect(meta.annotations['aiplat.io/user']).toBe('zhang.san@example.com');
  });

  it.each(['a'.repeat(64), 'zhang san', '-x-', '用户', ''])('labelValue(%j) is a valid label value', (text) => {
    const value = labelValue(text);
    expect(value).toMatch(LABEL_VALUE);
    expect(value.length).toBeLessThanOrEqual(63);
  });

  it('priority classes p0..p9', () => {
    expect([0, 5, 9].map(priorityClassName)).toEqual(['p0', 'p5', 'p9']);
  });

  it('the spec hash ignores key order and changes with the spec', () => {
    const reordered = JobSpecSchema.parse({ ...spec, hyperparameters: { nested: { a: [1, 2] }, batch: 64, lr: 0.01 } });
    expect(specHash(reordered)).toBe(specHash(spec));
    expect(specHash({ ...spec, command: 'python other.py' })).not.toBe(specHash(spec));
    expect(specHash(spec)).toMatch(/^[0-9a-f]{16}$/);
  });
});
