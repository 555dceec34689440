import { Module } from '@nestjs/common';
import { CodecController } from './codec.controller';

/** The codec server (Temporal's codec-server protocol) for the Temporal Web UI. */
@Module({ controllers: [CodecController] })
export class CodecModule {}
