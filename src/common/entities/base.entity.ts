import { BeforeInsert, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from '../ids';

/** uuid id generated in the application (so bulk inserts can set it too), plus timestamps. */
export abstract class BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updatedAt: Date;

  @BeforeInsert()
  protected assignId() {
    this.id ??= newId();
  }
}

/** For append-only rows (tokens, notifications, audit) that are never updated. */
export abstract class ImmutableEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @BeforeInsert()
  protected assignId() {
    this.id ??= newId();
  }
}
