// POST /v1/transactions writes here: an idempotent producer (acks=all) onto the input topic, the same
// topic and contract the processor's own producers use.
import type { Kafka, Message, Producer } from 'kafkajs';
import { ApiProblem } from './problems.js';

export class EventProducer {
  private producer: Producer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  /** Resolves once the broker has every event (acks=all); a 503 problem otherwise. */
  async send(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      if (!this.producer) throw new Error('producer not started');
      await this.producer.send({ topic: this.topic, acks: -1, messages });
    } catch (error) {
      throw new ApiProblem(
        'FG_KAFKA_UNAVAILABLE',
        'the events could not be written to the input topic; retry',
        {
          cause: error,
        },
      );
    }
  }
}
