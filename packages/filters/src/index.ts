/**
 * @tm/filters — the filter framework, the telemarketing filters, campaign config and service clients.
 * @packageDocumentation
 */
export {};
