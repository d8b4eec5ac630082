/**
 * The example training project `seedWorkRoot` puts in the default user's home: a 2-node PyTorch DDP
 * job that runs on CPU in seconds, with no downloads. The README submits it as written.
 */

/** The folder under `home/<user>`; the job's `workingDir` is `home/<this>`. */
export const DDP_EXAMPLE_FOLDER = 'ddp-example';

/**
 * A small classifier trained with DistributedDataParallel over gloo on synthetic "digits" (ten fixed
 * 64-value patterns plus noise), so it needs nothing but torch. Rank 0 prints `epoch 1/3 step 10/30
 * loss 0.52` lines, which the platform reads as progress, and saves the weights to out/model.pt.
 */
export const DDP_EXAMPLE_TRAIN_PY = `"""A small PyTorch DDP example: CPU, gloo, synthetic data (no downloads). See job.yaml."""
import os

import torch
import torch.distributed as dist
from torch import nn

EPOCHS = int(os.environ.get("EPOCHS", "3"))
STEPS = int(os.environ.get("STEPS", "10"))  # per epoch
BATCH = 32

# MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE come from torchrun (or from the platform directly).
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()

torch.manual_seed(0)  # the same starting weights on every rank
model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

# Ten fixed "digit" patterns; each rank draws its own noisy samples of them.
prototypes = torch.randn(10, 64, generator=torch.Generator().manual_seed(1))
samples = torch.Generator().manual_seed(100 + rank)

total = EPOCHS * STEPS
for epoch in range(1, EPOCHS + 1):
    for step in range(1, STEPS + 1):
        labels = torch.randint(0, 10, (BATCH,), generator=samples)
        images = prototypes[labels] + 0.5 * torch.randn(BATCH, 64, generator=samples)
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()  # DDP averages the gradients of all ranks here
        optimizer.step()
        if rank == 0:
            print(f"epoch {epoch}/{EPOCHS} step {(epoch - 1) * STEPS + step}/{total} loss {loss.item():.4f}", flush=True)

if rank == 0:
    os.makedirs("out", exist_ok=True)
    torch.save(model.module.state_dict(), "out/model.pt")
print(f"rank {rank}/{world} done", flush=True)
dist.destroy_process_group()
`;

/** Its job.yaml: two nodes of the local engine, one torchrun each. */
export const DDP_EXAMPLE_JOB_YAML = `# A 2-node PyTorch DDP job: npx aiplat submit -f job.yaml --follow
name: ${DDP_EXAMPLE_FOLDER}
mode: ddp
# One torchrun per node, on the variables the platform gives each node. Debian's torch 1.13 torchrun
# crashes at start without --redirects/--tee/--log_dir; they are harmless with other versions.
command: |
  torchrun --nnodes $WORLD_SIZE --node_rank $RANK --master_addr $MASTER_ADDR \\
           --master_port $MASTER_PORT --nproc_per_node 1 \\
           --redirects 2 --tee 2 --log_dir torchrun-logs train.py
workingDir: home/${DDP_EXAMPLE_FOLDER}   # relative to /work: this folder in your home
nodes: 2
resources: { cpu: 1, memory: 1Gi, accelerator: { type: none, count: 0 } }
env: { EPOCHS: '3' }
`;
