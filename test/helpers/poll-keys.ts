// The newer web UI's one-second status poll after login (goform-api.md §3.11).
export { STATUS_POLL_KEYS } from '../../hil/clients/goform-types.js';
import { STATUS_POLL_KEYS } from '../../hil/clients/goform-types.js';

export const STATUS_POLL_QUERY =
  `multi_data=1&isTest=false&sms_received_flag_flag=0&sts_received_flag_flag=0&cmd=${STATUS_POLL_KEYS.join('%2C')}`;
