import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { normalizeEmail } from './email';
import { User } from './entities/user.entity';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOne({ where: { id } });
  }

  /** Read from the email index alone, the same work whether or not the address has an account. */
  async idByEmail(email: string): Promise<string | null> {
    const row: { id: string } | undefined = await this.users.createQueryBuilder('u').select('u.id', 'id').where('u.email = :email', { email: normalizeEmail(email) }).getRawOne();
    return row?.id ?? null;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOne({ where: { email: normalizeEmail(email) } });
  }

  /** With the password hash, which is never selected otherwise. */
  findByEmailWithSecret(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normalizeEmail(email) })
      .getOne();
  }

  findByIdWithSecret(id: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  get repository(): Repository<User> {
    return this.users;
  }
}
