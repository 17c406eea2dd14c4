import { Logger } from '@nestjs/common';

type Closer = () => Promise<void>;

/**
 * Ordered shutdown on SIGINT/SIGTERM: closers run in the order they were registered, each
 * awaited, so producers stop before consumers drain and the store closes last. A second
 * Ctrl-C forces exit.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private stopping: Promise<void> | undefined;
  private readonly logger = new Logger('fleetfm');

  onShutdown(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  installSignalHandlers(): void {
    const handler = (signal: NodeJS.Signals): void => {
      if (this.stopping) {
        this.logger.warn(`${signal} again: exiting without a clean shutdown`);
        process.exit(130);
      }
      this.logger.log(`${signal}: shutting down (Ctrl-C again to force)`);
      void this.shutdown().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, close } of this.closers) {
        const started = Date.now();
        try {
          await close();
          this.logger.log(`stopped ${name} (${Date.now() - started} ms)`);
        } catch (err) {
          this.logger.error(`stopping ${name} failed: ${(err as Error).message}`);
          throw err;
        }
      }
    })();
    return this.stopping;
  }
}
