/** The CLI's timer-backed wake queue (src/store/timerWakeQueue.ts): exact delays, blocking receive, close. */
import { describe, expect, it } from "vitest";
import { TimerWakeQueue } from "../../../src/store/timerWakeQueue.js";

const wake = (jobId: string, wakeSeq = 0) => ({ jobId, wakeSeq, requestId: "r" });

describe("timer wake queue", () => {
  it("hands out ready wakes oldest first and a delayed one after its exact delay, not a rounded second", async () => {
    const queue = new TimerWakeQueue();
    await queue.send(wake("later"), 150);
    await queue.send(wake("a"), 0);
    await queue.send(wake("b"), 0);
    expect(queue.holds("later")).toBe(true);
    expect((await queue.receive())?.jobId).toBe("a");
    expect((await queue.receive())?.jobId).toBe("b");
    const started = Date.now();
    expect((await queue.receive())?.jobId).toBe("later");
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThan(900);
    expect(queue.holds("later")).toBe(false);
    queue.close();
  });

  it("hands nothing to an aborted consumer, even with wakes ready: the others take them", async () => {
    const queue = new TimerWakeQueue();
    await queue.send(wake("ready"), 0);
    const controller = new AbortController();
    controller.abort();
    expect(await queue.receive(controller.signal)).toBeUndefined();
    expect((await queue.receive())?.jobId).toBe("ready");
    queue.close();
  });

  it("wakes a blocked receiver on send, and answers undefined on abort and on close", async () => {
    const queue = new TimerWakeQueue();
    const waiting = queue.receive();
    await queue.send(wake("x"), 0);
    expect((await waiting)?.jobId).toBe("x");
    const controller = new AbortController();
    const aborted = queue.receive(controller.signal);
    controller.abort();
    expect(await aborted).toBeUndefined();
    await queue.send(wake("pending"), 60_000);
    const closed = queue.receive();
    queue.close();
    expect(await closed).toBeUndefined();
    expect(queue.holds("pending")).toBe(false);
    await queue.send(wake("ignored"), 0);
    expect(await queue.receive()).toBeUndefined();
  });

  it("hands a started job's next wake out before any job's first wake (finish what was started)", async () => {
    const queue = new TimerWakeQueue();
    for (const id of ["a", "b", "c"]) await queue.send(wake(id), 0);
    expect((await queue.receive())?.jobId).toBe("a");
    // a's next step, then a delayed retry of b once b has started: both go before c's first wake.
    await queue.send(wake("a", 1), 0);
    expect((await queue.receive())?.jobId).toBe("a");
    expect((await queue.receive())?.jobId).toBe("b");
    await queue.send(wake("b", 1), 20);
    await queue.send(wake("a", 2), 0);
    expect(queue.holds("b")).toBe(true);
    expect(await queue.receive()).toEqual(wake("a", 2));
    expect(await queue.receive()).toEqual(wake("c"));
    expect(await queue.receive()).toEqual(wake("b", 1));
    queue.close();
  });
});
