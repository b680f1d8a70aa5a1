/**
 * The two DynamoDB tables of the cluster store, laid out exactly as the
 * DynamoDB Store expects (`core/storage/dynamodb/tables.ts` is the one source
 * of names, keys, the TTL attribute and the log stream's view type), and the
 * work queues' pending-marks table (`functions/lib/dynamo-pending-marks.ts`).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ATTR, LOG_STREAM, tableNames } from '../../core/storage/dynamodb/tables.ts';
import { MARK_ATTR, pendingMarksTableName } from '../../functions/lib/dynamo-pending-marks.ts';

/** Settings of SkubeTables. */
export interface SkubeTablesProps {
  /** The store's table prefix: the tables are `<prefix>-objects` and `<prefix>-log` (the functions' `SKUBE_TABLE_PREFIX`). */
  tablePrefix: string;
}

/**
 * The objects table (pk S, sk S) and the revision log table (pk S, sk N, TTL
 * on `ttl`, a NEW_IMAGE stream that drives the control loops). Both are
 * on-demand, with point-in-time recovery and deletion protection, and are
 * retained when the stack is deleted: they are the cluster's state. Their
 * construct IDs must never change (a new ID is a new, empty table).
 */
export class SkubeTables extends Construct {
  /** Every object of the cluster, one item each. */
  readonly objects: Table;
  /** Each resource type's revision log and head (compaction mark, revision floor); its stream is the controllers' watch. */
  readonly log: Table;
  /**
   * The work queues' pending marks (`<prefix>-marks`, pk S, TTL on `ttl`):
   * SQS deduplication shared by every container. Not state: losing it only
   * lets a key be queued twice, so it is neither backed up nor retained.
   */
  readonly marks: Table;

  constructor(scope: Construct, id: string, props: SkubeTablesProps) {
    super(scope, id);
    const names = tableNames(props.tablePrefix);
    this.objects = this.table('ObjectsTable', names.objects, AttributeType.STRING);
    this.log = this.table('LogTable', names.log, AttributeType.NUMBER, {
      timeToLiveAttribute: ATTR.ttl,
      stream: logStreamViewType(),
    });
    this.marks = new Table(this, 'PendingMarksTable', {
      tableName: pendingMarksTableName(props.tablePrefix),
      partitionKey: { name: MARK_ATTR.pk, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: MARK_ATTR.ttl,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private table(
    id: string,
    tableName: string,
    sortKeyType: AttributeType,
    extra: { timeToLiveAttribute?: string; stream?: StreamViewType } = {},
  ): Table {
    return new Table(this, id, {
      tableName,
      partitionKey: { name: ATTR.pk, type: AttributeType.STRING },
      sortKey: { name: ATTR.sk, type: sortKeyType },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...extra,
    });
  }
}

/** The log stream's view type as the store declares it (a stream's view type cannot change once created). */
function logStreamViewType(): StreamViewType {
  const declared = LOG_STREAM.StreamViewType;
  const match = Object.values(StreamViewType).find((v) => v === declared);
  if (!match) throw new Error(`the store declares an unknown stream view type ${String(declared)}`);
  return match;
}
