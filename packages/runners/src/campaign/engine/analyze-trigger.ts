import type { Knex } from 'knex';
import { analyzeCampaignTasks } from '../db/claim.js';

/**
 * Decides when the engine refreshes the planner statistics of TM$CAMPAIGN_TASKS after large ingests (ADR 0036):
 * once at least `threshold` tasks were created since the last ANALYZE, and at least as many as were created
 * before it — so the refreshes come at 10,000, 20,000, 40,000, 80,000 ... rows, a handful for a million-row load
 * (each costs ~0.2 s whatever the table's size: ANALYZE samples). One ANALYZE runs at a time, in the background.
 */
export class AnalyzeTrigger {
  #sinceLast = 0;
  #beforeLast = 0;
  #running: Promise<void> | undefined;

  constructor(
    private readonly db: Knex,
    private readonly threshold: number,
    private readonly onError: (error: unknown) => void,
    private readonly onAnalyzed?: (createdSoFar: number) => void,
  ) {}

  /** Counts `created` new tasks and starts an ANALYZE when one is due. */
  created(created: number): void {
    this.#sinceLast += created;
    if (this.#running || this.#sinceLast < this.threshold || this.#sinceLast < this.#beforeLast) return;
    this.#beforeLast += this.#sinceLast;
    this.#sinceLast = 0;
    const total = this.#beforeLast;
    this.#running = analyzeCampaignTasks(this.db)
      .then(() => this.onAnalyzed?.(total), this.onError)
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Resolves once no ANALYZE is running. */
  async idle(): Promise<void> {
    await this.#running;
  }
}
