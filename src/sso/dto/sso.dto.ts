import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { SsoProtocol } from '../entities/identity-provider.entity';

export class DiscoverQueryDto {
  @ApiProperty({ example: 'ada@ampere.example.edu' }) @IsEmail() @MaxLength(254) email: string;
}

export class StartQueryDto {
  /** The frontend's callback: must equal one of the provider's `allowedRedirectUris`. */
  @IsString() @IsNotEmpty() @MaxLength(2048) redirectUri: string;
}

export class DiscoveredProviderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  name: string;
  @ApiProperty({ enum: SsoProtocol }) protocol: SsoProtocol;
  @ApiProperty({ format: 'uuid' }) instituteId: string;
}

export class DiscoverResponseDto {
  @ApiProperty({ type: [DiscoveredProviderDto] }) providers: DiscoveredProviderDto[];
}

export class ExchangeCodeDto {
  /** The one-time code from `redirectUri?code=`. */
  @IsString() @IsNotEmpty() @MaxLength(200) code: string;
  /** The same redirect URI the sign-in started with. */
  @IsString() @IsNotEmpty() @MaxLength(2048) redirectUri: string;
}
