/**
 * A background loop's wait between rounds: it ends when its time is up or when something
 * wakes it — also when the wake came while the round was still running, so no wake is lost.
 */
export class Alarm {
  private woken = false;
  private ring: (() => void) | null = null;

  wake(): void {
    this.woken = true;
    this.ring?.();
  }

  /** A round begins: wakes before it are answered by it. */
  reset(): void {
    this.woken = false;
  }

  /** Waits `ms`, or not at all when woken since the last reset. */
  async sleep(ms: number): Promise<void> {
    if (this.woken) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.ring = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.ring = null;
  }
}
