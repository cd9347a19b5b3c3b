import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per word of an institute's folded name: the typeahead matches each
 * typed word as a prefix through the (word) index instead of scanning names.
 */
@Entity('institute_name_words')
@Index('IDX_institute_name_words_word', ['word', 'instituteId'])
export class InstituteNameWord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  instituteId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  word: string;
}
