import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppError } from './errors/app-error';

/** Keyset pagination: the cursor is an opaque encoding of the last item's sort key. */
export class PageQueryDto {
  /** Opaque cursor from the previous page's `nextCursor`. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50, type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The sort key of an item: a time, then the id to break ties. */
export interface PageKey {
  at: Date;
  id: string;
}

const invalidCursor = () => AppError.validation([{ field: 'cursor', message: 'cursor is not a valid page cursor' }], 'Invalid cursor');

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at.toISOString(), key.id])).toString('base64url');
}

/** 400 VALIDATION_FAILED on anything that is not a cursor this API issued. */
export function decodeCursor(cursor: string): PageKey {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(values) || values.length !== 2 || typeof values[0] !== 'string' || typeof values[1] !== 'string') throw invalidCursor();
  const at = new Date(values[0]);
  if (Number.isNaN(at.getTime())) throw invalidCursor();
  return { at, id: values[1] };
}

export interface KeysetOptions<E> {
  /** The sort columns, as the query builder names them: `m.createdAt`, `m.id`. */
  at: string;
  id: string;
  order: 'ASC' | 'DESC';
  query: PageQueryDto;
  defaultLimit: number;
  keyOf: (row: E) => PageKey;
}

/**
 * One page of a list sorted on (time, id), read with a keyset condition: an
 * index range scan from the cursor, so a deep page costs what a first page
 * does, and rows added while someone pages sort before the cursor instead of
 * shifting later pages. `load` turns the page's rows into items (a deferred
 * join may select only the keys, then fetch the rows by primary key).
 */
export async function keysetPage<E extends ObjectLiteral, R>(
  qb: SelectQueryBuilder<E>,
  o: KeysetOptions<E>,
  load: (rows: E[]) => R[] | Promise<R[]>,
): Promise<Page<R>> {
  const limit = keysetQuery(qb, o);
  return pageOf(await qb.getMany(), limit, o.keyOf, load);
}

/**
 * The keyset condition from the cursor, the order and the limit (one row more
 * than the page, to know whether another follows), added to `qb`; returns the
 * page size. For a caller that runs the query itself (as a derived table).
 */
export function keysetQuery<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, o: Omit<KeysetOptions<E>, 'keyOf'>): number {
  const limit = o.query.limit ?? o.defaultLimit;
  keysetCondition(qb, o);
  qb.orderBy(o.at, o.order)
    .addOrderBy(o.id, o.order)
    .limit(limit + 1);
  return limit;
}

/**
 * Only the keyset condition from the cursor (none on a first page), for a query whose
 * order and limit are applied around it (each part of a UNION). Returns `qb`.
 */
export function keysetCondition<Q extends SelectQueryBuilder<ObjectLiteral>>(qb: Q, o: Pick<KeysetOptions<never>, 'at' | 'id' | 'order' | 'query'>): Q {
  if (o.query.cursor) {
    const { at, id } = decodeCursor(o.query.cursor);
    const cmp = o.order === 'DESC' ? '<' : '>';
    // The first conjunct alone is a range on the (…, at, id) index; the second settles ties on `at`.
    qb.andWhere(`${o.at} ${cmp}= :pageAt AND (${o.at} ${cmp} :pageAt OR ${o.id} ${cmp} :pageId)`, { pageAt: at, pageId: id });
  }
  return qb;
}

/** The page of `rows` (read with `keysetQuery`'s limit) and the cursor of the next one. */
export async function pageOf<E, R>(rows: E[], limit: number, keyOf: (row: E) => PageKey, load: (rows: E[]) => R[] | Promise<R[]>): Promise<Page<R>> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: await load(page), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
