import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per folded word of a person's first and last names: the directory
 * search matches each typed word as a prefix through the (word) index.
 * Written with the names, by UsersService only.
 */
@Entity('user_name_words')
@Index('IDX_user_name_words_word', ['word', 'userId'])
export class UserNameWord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  word: string;
}
