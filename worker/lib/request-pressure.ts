/**
 * How busy this isolate is answering requests; the app notes each one. Where the location objects
 * share the app's isolate (always under `wrangler dev`), handing stored events on, and the
 * contact work that follows, runs on the same thread as the next acknowledgement: while requests
 * pour in, the drain takes short turns and requests go first. A lone event is still handed on at
 * once. A few counters, whatever the traffic.
 */
export class RequestPressure {
  private readonly bucketMs: number;
  private readonly busyAt: number;
  private readonly busyInFlight: number;
  private readonly stayBusyAt: number;
  private wasBusy = false;
  private bucketStart = 0;
  private inBucket = 0;
  private inPrevious = 0;
  private inFlight = 0;

  /**
   * Busy from `busyAt` requests in the current and the previous bucket of `bucketMs` (~12/s by
   * default), or from `busyInFlight` requests answered at once, and busy still while `stayBusyAt`
   * keep coming (~4/s): requests queued where the app cannot count them answer slowly, and a
   * thread too busy to answer quickly must not read as quiet.
   */
  constructor(bucketMs = 250, busyAt = 6, busyInFlight = 3, stayBusyAt = 2) {
    this.bucketMs = bucketMs;
    this.busyAt = busyAt;
    this.busyInFlight = busyInFlight;
    this.stayBusyAt = stayBusyAt;
  }

  /** A request arrived; `leave` when it is answered. */
  enter(now: number): void {
    this.roll(now);
    this.inBucket++;
    this.inFlight++;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  busy(now: number): boolean {
    this.roll(now);
    const recent = this.inBucket + this.inPrevious;
    this.wasBusy =
      this.inFlight >= this.busyInFlight || recent >= (this.wasBusy ? this.stayBusyAt : this.busyAt);
    return this.wasBusy;
  }

  private roll(now: number): void {
    const buckets = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (buckets <= 0) return;
    this.inPrevious = buckets === 1 ? this.inBucket : 0;
    this.inBucket = 0;
    this.bucketStart += buckets * this.bucketMs;
  }
}

/** Shared by the app and the location objects of this isolate. */
export const requestPressure = new RequestPressure();
