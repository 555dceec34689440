import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-only.decorator';
import { CreationRateLimit } from '../core/rate-limit';
import { CreateFunctionDto } from './dto/create-function.dto';
import { FunctionResponseDto } from './dto/function-response.dto';
import { ACTIVE_WAIT_S, FunctionsService } from './functions.service';

/** Lambda functions deployed from code, for tasks and orchestrations to invoke. Admin only. */
@AdminOnly()
@ApiTags('functions')
@Controller('functions')
export class FunctionsController {
  constructor(private readonly functions: FunctionsService) {}

  @Post()
  @UseGuards(CreationRateLimit)
  @ApiOperation({
    summary: 'Deploy a Lambda function from code',
    description:
      `Creates the function, waits until it is Active (at most ${ACTIVE_WAIT_S} s) and, when asked, its function URL. ` +
      'A deployment that fails halfway is undone: nothing is left behind.',
  })
  @ApiCreatedResponse({ type: FunctionResponseDto })
  @ApiBadRequestResponse({
    description: 'Names the bad field (runtime, handler, code), or passes on why Lambda refused (e.g. a role it cannot assume).',
  })
  @ApiConflictResponse({ description: 'A function of that name exists.' })
  @ApiServiceUnavailableResponse({ description: 'Lambda throttled or failed; nothing was created.' })
  create(@Body() dto: CreateFunctionDto): Promise<FunctionResponseDto> {
    return this.functions.create(dto);
  }
}
