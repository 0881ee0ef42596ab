import { expect } from 'chai';
import { openApiDocument } from './openapi.js';

interface Operation {
  security?: unknown[];
  responses: Record<string, unknown>;
}

describe('tm openapi', () => {
  it('documents the security service’s three endpoints with their DTOs by name', async () => {
    const doc = (await openApiDocument('security')) as {
      paths: Record<string, { post: Operation }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).to.deep.equal([
      '/api/security/v1/login',
      '/api/security/v1/logout',
      '/api/security/v1/checkAccess',
    ]);
    expect(Object.keys(doc.components.schemas)).to.include.members([
      'LoginRequestDto',
      'LoginResponseDto',
      'CheckAccessResponseDto',
    ]);
    expect(JSON.stringify(doc)).not.to.contain('def-');
  });

  it('documents the ARM’s eight endpoints and ours, every locked one with the bearer scheme', async () => {
    const doc = (await openApiDocument('arm')) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    const paths = Object.keys(doc.paths).map((p) => p.replace('/api/arm/v1/', ''));
    expect(paths).to.include.members([
      'login',
      'listCommunications',
      'hasChanges',
      'getClientCard',
      'saveCommunicationDraft',
      'saveCommunicationResult',
      'getClientCardByCommunicationId',
      'logout',
    ]);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const operation of Object.values(methods)) {
        expect(operation.security, path).to.deep.equal(
          path.endsWith('/login') ? undefined : [{ bearer: [] }],
        );
        expect(operation.responses, path).to.include.keys('200', '400', '503');
      }
    }
    expect(doc.components.securitySchemes).to.deep.equal({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(Object.keys(doc.components.schemas)).to.include.members([
      'ClientCardDto',
      'ProductDto',
      'Phone',
      'ChangesDto',
    ]);
  });
});
