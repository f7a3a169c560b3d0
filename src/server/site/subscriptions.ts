/**
 * Where subscriptions come from. No payment processor here: an admin marks a
 * reader as subscriber (AdminGrantedSubscriptions). A real processor would
 * implement the same interface — start a checkout, then call the content
 * store from its webhook — and the pages would not change.
 */
import type { ContentStore, User } from '../../store/content.js';

export interface SubscriptionProvider {
  /** Name shown to admins ("granted by an admin", "Stripe"…). */
  readonly name: string;
  /** Where the subscribe page sends a reader; null when readers cannot subscribe themselves. */
  checkoutUrl(user: User): string | null;
  grant(userId: number): Promise<User | null>;
  revoke(userId: number): Promise<User | null>;
}

export class AdminGrantedSubscriptions implements SubscriptionProvider {
  readonly name = 'granted by an admin';
  constructor(private readonly content: ContentStore) {}
  checkoutUrl(): string | null {
    return null;
  }
  grant(userId: number): Promise<User | null> {
    return this.content.updateUser(userId, { subscriber: true });
  }
  revoke(userId: number): Promise<User | null> {
    return this.content.updateUser(userId, { subscriber: false });
  }
}
