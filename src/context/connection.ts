import { createContext } from '@lit/context';
import type { Connection } from '../api/connection.js';

/**
 * Provided by `<customer-portal>` to everything it renders. A string key (not a Symbol) so
 * elements from a second copy of the script on the same page still find it.
 */
export const connectionContext = createContext<Connection>('customer-portal:connection');
