"""PyTorch peer of the `burgers-step-*` benchmarks (run by bench/run.ts when torch imports).

Same problem as bench/burgers_problem.ts: u_t + u u_x - (0.01/pi) u_xx = 0, MLP 2-64-64-64-1
tanh, Adam lr 1e-3, N interior + 256 initial + 256 boundary points, loss = sum of the three
mean squared errors. Second derivatives by nested autograd, one thread.
Prints one JSON object: {"4096": ms_per_step_median, ...}.
"""
import json
import math
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
NU = 0.01 / math.pi


def step_time(n, steps):
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 64), torch.nn.Tanh(),
        torch.nn.Linear(64, 64), torch.nn.Tanh(),
        torch.nn.Linear(64, 64), torch.nn.Tanh(),
        torch.nn.Linear(64, 1),
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(n, 1) * 2 - 1
    t = torch.rand(n, 1)
    xi = torch.rand(256, 1) * 2 - 1
    ic = torch.cat([xi, torch.zeros_like(xi)], 1)
    ic_target = -torch.sin(math.pi * xi)
    bc = torch.cat([torch.where(torch.rand(256, 1) < 0.5, -1.0, 1.0), torch.rand(256, 1)], 1)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        xr = x.clone().requires_grad_(True)
        tr = t.clone().requires_grad_(True)
        u = net(torch.cat([xr, tr], 1))
        u_x, u_t = torch.autograd.grad(u.sum(), (xr, tr), create_graph=True)
        u_xx = torch.autograd.grad(u_x.sum(), xr, create_graph=True)[0]
        r = u_t + u * u_x - NU * u_xx
        loss = (r ** 2).mean() + ((net(ic) - ic_target) ** 2).mean() + (net(bc) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append((time.perf_counter() - t0) * 1000)
    times = sorted(times[3:])
    return times[len(times) // 2]


sizes = [int(s) for s in sys.argv[1:]] or [4096, 16384]
print(json.dumps({str(n): step_time(n, 40 if n <= 4096 else 20) for n in sizes}))
