// What every screen of the detail pane is given: the session, the queue and marks, navigation, and a
// way to clean up (charts, graphs) when the analyst moves on.
import type { AlertQueue } from '../alert-queue.js';
import type { QueueMarks } from '../queue-marks.js';
import type { Session } from '../session.js';

export interface ViewContext {
  session: Session;
  queue: AlertQueue;
  marks: QueueMarks;
  navigate(hash: string): void;
  /** Runs `cleanup` when this view is replaced. */
  onLeave(cleanup: () => void): void;
  /** False once the view was replaced: an answer arriving late must not draw into the next one. */
  isCurrent(): boolean;
}
