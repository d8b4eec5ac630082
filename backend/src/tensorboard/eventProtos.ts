import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/*
 * TensorBoard's own Event and Summary messages, loaded with protobufjs from the real .proto files
 * (backend/protos, copied unchanged from tensorflow/tensorboard; see the README there).
 */

// int64 fields (an event's step) as plain numbers, not Long objects: one allocation less per event,
// and steps never pass 2^53. protobufjs reads this setting when decoding.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

const PROTO_ROOT = fileURLToPath(new URL('../../protos/', import.meta.url));
const PACKAGE = 'tensorboard/compat/proto/';

let loaded: protobuf.Root | undefined;

function root(): protobuf.Root {
  if (loaded) return loaded;
  const next = new protobuf.Root();
  // Imports name `tensorboard/compat/proto/x.proto`: resolve them under PROTO_ROOT.
  next.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target.startsWith(PACKAGE) ? target : PACKAGE + target);
  next.loadSync(`${PACKAGE}event.proto`, { keepCase: false });
  next.resolveAll();
  loaded = next;
  return next;
}

export function eventType(): protobuf.Type {
  return root().lookupType('tensorboard.Event');
}

/** The DataType enum's numbers, by name (DT_FLOAT, DT_DOUBLE, DT_HALF...). */
export function dataTypes(): Record<string, number> {
  return root().lookupEnum('tensorboard.DataType').values;
}
