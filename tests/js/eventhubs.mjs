// Drives the official @azure/event-hubs SDK for the tests: one command as JSON in argv[2], one JSON answer on stdout.
//   {"op":"send", "connection", "hub", "events":[{"body", "partitionKey"?, "partitionId"?}], "batch": true|false}
//   {"op":"receive", "connection", "hub", "consumerGroup", "expected", "timeoutMs", "startPosition"?}
//   {"op":"properties", "connection", "hub"}
//   {"op":"epoch", "connection", "hub", "consumerGroup", "partitionId"}: owner level 1, then 2, then 1 again
//   {"op":"throughput", "connection", "hub", "count", "size"}: sends count events of size bytes in full batches,
//     then reads them all back; answers the rates (for the benchmark, not the tests)
import { EventHubProducerClient, EventHubConsumerClient, earliestEventPosition } from "@azure/event-hubs";

const command = JSON.parse(process.argv[2]);

// Client options every command takes: "maxRetries" bounds the SDK's retries (its default backs off for a while).
function clientOptions(command) {
  return command.maxRetries === undefined ? {} : { retryOptions: { maxRetries: command.maxRetries } };
}

async function send(command) {
  const { connection, hub, events, batch } = command;
  const producer = new EventHubProducerClient(connection, hub, clientOptions(command));
  try {
    const groups = new Map();
    for (const e of events) {
      const key = JSON.stringify({ partitionKey: e.partitionKey, partitionId: e.partitionId });
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(e);
    }
    let sent = 0;
    for (const [key, group] of groups) {
      const options = JSON.parse(key);
      if (batch) {
        let current = await producer.createBatch(options);
        for (const e of group) {
          if (!current.tryAdd({ body: e.body })) {
            await producer.sendBatch(current);
            current = await producer.createBatch(options);
            if (!current.tryAdd({ body: e.body })) throw new Error("event too large for an empty batch");
          }
          sent++;
        }
        if (current.count > 0) await producer.sendBatch(current);
      } else {
        for (const e of group) {
          await producer.sendBatch([{ body: e.body }], options);
          sent++;
        }
      }
    }
    return { sent };
  } finally {
    await producer.close();
  }
}

async function receive({ connection, hub, consumerGroup, expected, timeoutMs }) {
  const consumer = new EventHubConsumerClient(consumerGroup ?? "$Default", connection, hub);
  const received = [];
  const errors = [];
  const subscriptions = [];
  try {
    const partitionIds = await consumer.getPartitionIds();
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs ?? 20000);
      // One subscription per partition: every partition is read at once, without load balancing.
      for (const partitionId of partitionIds) subscriptions.push(consumer.subscribe(partitionId,
        {
          processEvents: async (events, context) => {
            for (const e of events) {
              received.push({
                partitionId: context.partitionId,
                sequenceNumber: e.sequenceNumber,
                offset: String(e.offset),
                partitionKey: e.partitionKey ?? null,
                enqueuedTimeUtc: e.enqueuedTimeUtc,
                body: e.body,
              });
            }
            if (received.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
          processError: async (err) => {
            errors.push(`${err.name}: ${err.message}`);
          },
        },
        { startPosition: earliestEventPosition, maxBatchSize: 100, maxWaitTimeInSeconds: 1 }
      ));
    });
  } finally {
    for (const subscription of subscriptions) await subscription.close();
    await consumer.close();
  }
  return { received, errors };
}

async function properties({ connection, hub }) {
  const producer = new EventHubProducerClient(connection, hub);
  try {
    const hubProperties = await producer.getEventHubProperties();
    const partitions = [];
    for (const id of hubProperties.partitionIds) {
      partitions.push(await producer.getPartitionProperties(id));
    }
    return { hub: hubProperties, partitions };
  } finally {
    await producer.close();
  }
}

// Starts a subscription on one partition with an owner level; resolves once its receiver runs (an empty batch
// arrives after maxWaitTimeInSeconds) or it fails.
function subscribeWithOwnerLevel(consumer, partitionId, ownerLevel, errors) {
  return new Promise((resolve) => {
    const subscription = consumer.subscribe(
      partitionId,
      {
        processEvents: async () => resolve(subscription),
        processError: async (err) => {
          errors.push({ name: err.name, code: err.code ?? null, message: err.message });
          resolve(subscription);
        },
      },
      { startPosition: earliestEventPosition, ownerLevel, maxWaitTimeInSeconds: 1 }
    );
  });
}

async function epoch({ connection, hub, consumerGroup, partitionId }) {
  const first = new EventHubConsumerClient(consumerGroup, connection, hub);
  const second = new EventHubConsumerClient(consumerGroup, connection, hub);
  const third = new EventHubConsumerClient(consumerGroup, connection, hub);
  const errors = { first: [], second: [], third: [] };
  try {
    const one = await subscribeWithOwnerLevel(first, partitionId, 1, errors.first);
    const two = await subscribeWithOwnerLevel(second, partitionId, 2, errors.second);
    // The first receiver is told it lost the partition.
    for (let i = 0; i < 100 && errors.first.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await one.close();
    const three = await subscribeWithOwnerLevel(third, partitionId, 1, errors.third);
    await three.close();
    await two.close();
    return { errors };
  } finally {
    await Promise.all([first.close(), second.close(), third.close()]);
  }
}

async function throughput({ connection, hub, count, size }) {
  const producer = new EventHubProducerClient(connection, hub);
  const body = "x".repeat(size);
  const started = performance.now();
  let sent = 0;
  try {
    const partitionIds = await producer.getPartitionIds();
    while (sent < count) {
      const batch = await producer.createBatch({ partitionId: partitionIds[sent % partitionIds.length] });
      while (sent < count && batch.tryAdd({ body })) sent++;
      await producer.sendBatch(batch);
    }
  } finally {
    await producer.close();
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const readStarted = performance.now();
  const read = await receive({ connection, hub, consumerGroup: "$Default", expected: count, timeoutMs: 120000 });
  const readSeconds = (performance.now() - readStarted) / 1000;
  return { sent, sendPerSecond: sent / sendSeconds, received: read.received.length, receivePerSecond: read.received.length / readSeconds };
}

const operations = { send, receive, properties, epoch, throughput };
try {
  const result = await operations[command.op](command);
  process.stdout.write(JSON.stringify({ ok: true, ...result }) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, name: err.name, code: err.code ?? null, message: err.message }) + "\n");
}
process.exit(0);
