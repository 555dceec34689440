import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-only.decorator';
import { CreationRateLimit } from '../core/rate-limit';
import { ApiErrors, IDENTITY_PROVIDER_DOWN, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';
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
  @ApiErrors({
    400: 'Names the bad field (runtime, handler, code; the handler must suit the runtime), or passes on why Lambda refused (e.g. a role it cannot assume).',
    401: UNAUTHORIZED,
    403: "The token's roles do not include admin.",
    409: 'A function of that name exists.',
    413: 'The body is larger than the API takes.',
    415: UNSUPPORTED_ENCODING,
    429: 'Too many creations by this user; retry after Retry-After seconds.',
    502: "Lambda refused the API's own credentials, or the API cannot reach Lambda; nothing was created.",
    503: `Lambda throttled or failed; nothing was created; ${IDENTITY_PROVIDER_DOWN}.`,
  })
  create(@Body() dto: CreateFunctionDto): Promise<FunctionResponseDto> {
    return this.functions.create(dto);
  }
}
