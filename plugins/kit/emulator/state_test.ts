import {
  deepStrictEqual as assertEquals,
  ok,
  rejects,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import { type EmulatorState, fileState, memoryState, StateFileError } from "./state.ts";

async function withFile(fn: (path: string) => Promise<void> | void): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "emulator-state-" });
  try {
    await fn(`${directory}/state.jsonl`);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

const KINDS: [string, (path: string) => EmulatorState][] = [
  ["memory", () => memoryState()],
  ["file", (path) => fileState(path)],
];

for (const [kind, open] of KINDS) {
  Deno.test(`${kind} state commits every write of a transaction together, or none`, async () => {
    await withFile(async (path) => {
      const state = open(path);
      try {
        const committed: string[] = [];
        await state.transaction((tx) => {
          tx.put("payments", "b", { value: 2 });
          tx.put("payments", "a", { value: 1, gone: undefined });
          tx.put("charges", "order-1", 1);
          tx.afterCommit(() => committed.push("first"));
          // The transaction sees its own writes.
          assertEquals(tx.get("payments", "a"), { value: 1 });
          equal(tx.size("payments"), 2);
        });
        await rejects(
          state.transaction((tx) => {
            tx.put("payments", "c", { value: 3 });
            tx.delete("payments", "a");
            tx.afterCommit(() => committed.push("second"));
            throw new Error("rolled back");
          }),
          /rolled back/,
        );
        assertEquals(committed, ["first"], "no follow-up of a rolled-back transaction");
        state.read((view) => {
          assertEquals(view.list("payments"), [{ value: 2 }, { value: 1 }], "in order of first write");
          equal(view.get("payments", "c"), undefined);
          equal(view.get("charges", "order-1"), 1);
        });
      } finally {
        state.close();
      }
    });
  });

  Deno.test(`${kind} state runs transactions one at a time`, async () => {
    await withFile(async (path) => {
      const state = open(path);
      try {
        // Twenty read-modify-write transactions at once: none may read a balance another one is changing.
        await Promise.all(Array.from({ length: 20 }, () =>
          state.transaction(async (tx) => {
            const balance = tx.get<number>("ledger", "p") ?? 0;
            await new Promise((resolve) => setTimeout(resolve, 1));
            tx.put("ledger", "p", balance + 1);
          })));
        equal(state.read((view) => view.get("ledger", "p")), 20);
      } finally {
        state.close();
      }
    });
  });

  Deno.test(`${kind} state hands out copies, never its own values`, async () => {
    await withFile(async (path) => {
      const state = open(path);
      try {
        const record = { items: [1] };
        await state.transaction((tx) => tx.put("t", "k", record));
        record.items.push(2);
        const read = state.read((view) => view.get<{ items: number[] }>("t", "k"))!;
        read.items.push(3);
        assertEquals(state.read((view) => view.get("t", "k")), { items: [1] });
      } finally {
        state.close();
      }
    });
  });
}

Deno.test("file state replays its journal after a restart", async () => {
  await withFile(async (path) => {
    const first = fileState(path);
    await first.transaction((tx) => {
      tx.put("payments", "10", { status: "authorised" });
      tx.put("payments", "2", { status: "refused" });
    });
    await first.transaction((tx) => {
      tx.put("payments", "10", { status: "captured" });
      tx.delete("payments", "2");
      tx.put("payments", "1", { status: "authorised" });
    });
    first.close();
    const second = fileState(path);
    try {
      second.read((view) => {
        assertEquals(view.list("payments"), [{ status: "captured" }, { status: "authorised" }]);
      });
    } finally {
      second.close();
    }
  });
});

Deno.test("file state compacts its journal into one snapshot line, keeping order and contents", async () => {
  await withFile(async (path) => {
    const state = fileState(path, { compactAfter: 3 });
    for (let index = 0; index < 10; index++) {
      await state.transaction((tx) => tx.put("t", String(9 - index), index));
    }
    state.close();
    const lines = (await Deno.readTextFile(path)).trim().split("\n");
    ok(lines.length <= 4, `compacted, not ${lines.length} lines`);
    ok(lines.some((line) => line.includes('"snapshot":true')));
    const reopened = fileState(path);
    try {
      assertEquals(reopened.read((view) => view.list("t")), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      reopened.close();
    }
  });
});

Deno.test("file state cuts off a torn last line and refuses a corrupt one in the middle", async () => {
  await withFile(async (path) => {
    const state = fileState(path);
    await state.transaction((tx) => tx.put("t", "a", 1));
    state.close();
    await Deno.writeTextFile(path, '{"v":1,"w":[["t","b",', { append: true });
    const repaired = fileState(path);
    try {
      assertEquals(repaired.read((view) => view.list("t")), [1]);
      await repaired.transaction((tx) => tx.put("t", "c", 3));
    } finally {
      repaired.close();
    }
    const again = fileState(path);
    assertEquals(again.read((view) => view.list("t")), [1, 3]);
    again.close();
    await Deno.writeTextFile(path, "not a journal line\n" + await Deno.readTextFile(path));
    throws(() => fileState(path), (error) => error instanceof StateFileError && error.reason === "corrupt");
  });
});

Deno.test("file state belongs to one owner: a second opener is refused until the first closes", async () => {
  await withFile((path) => {
    const owner = fileState(path);
    throws(
      () => fileState(path),
      (error) =>
        error instanceof StateFileError && error.reason === "locked" &&
        /another process holds/.test(error.message),
    );
    owner.close();
    fileState(path).close();
  });
});

Deno.test("file state refuses a path it cannot open", () => {
  throws(
    () => fileState("/nonexistent-directory-for-emulator-state/state.jsonl"),
    (error) => error instanceof StateFileError && error.reason === "unreadable",
  );
});

Deno.test("file state loses nothing committed when its process is killed with SIGKILL", async () => {
  await withFile(async (path) => {
    const script = `${path}.writer.ts`;
    await Deno.writeTextFile(
      script,
      `import { fileState } from ${JSON.stringify(new URL("./state.ts", import.meta.url).href)};
const state = fileState(${JSON.stringify(path)});
for (let index = 0; ; index++) {
  await state.transaction((tx) => { tx.put("t", String(index), { index, padding: "x".repeat(200) }); });
  console.log("committed " + index);
}
`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", script],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let lastCommitted = -1;
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (lastCommitted < 200) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) lastCommitted = Number(line.replace("committed ", ""));
    }
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
    ok(lastCommitted >= 200, "the writer committed");
    const state = fileState(path);
    try {
      const indexes = state.read((view) => view.list<{ index: number }>("t")).map((row) => row.index);
      ok(indexes.length >= lastCommitted + 1, `every committed write survived (${indexes.length})`);
      assertEquals(indexes, Array.from({ length: indexes.length }, (_, index) => index));
    } finally {
      state.close();
    }
  });
});
