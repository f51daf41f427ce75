import type { SmsMessage } from '../../../emulator/state/device-state.js';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { startLoggedIn, type TestClient } from '../../helpers/emulator.js';

// goform-api.md §4.7 and §5: sending, listing, flags, deleting, drafts and the sms_cmd protocol.

interface Msg { id: string; number: string; content: string; tag: string; date: string }
const list = async (client: TestClient, extra: Record<string, string> = {}): Promise<Msg[]> =>
  (await client.get('sms_data_total', { page: '0', data_per_page: '500', mem_store: '1', tags: '10', order_by: 'order by id desc', ...extra }))
    .messages as Msg[];

describe('SMS over goform', () => {
  let emu: Emulator;
  let client: TestClient;
  afterEach(async () => {
    await emu.close();
  });

  async function start(profile = 'mf79u'): Promise<void> {
    ({ emu, client } = await startLoggedIn({ profile }));
  }

  it('sends an SMS: success now, sms_cmd 4 goes 1 -> 3, and the sent copy is listed with tag 2', async () => {
    await start();
    const res = await client.set('SEND_SMS', {
      notCallback: 'true', Number: '+4915112345678', sms_time: '26;01;01;01;00;00;+1', MessageBody: encodeUcs2Hex('hello'), ID: '-1', encode_type: 'GSM7_default',
    });
    expect(res).toEqual({ result: 'success' });
    expect(await client.get('sms_cmd_status_info', { sms_cmd: '4' })).toEqual({ sms_cmd: '4', sms_cmd_status_result: '1' });
    emu.clock.advance(1000);
    expect((await client.get('sms_cmd_status_info', { sms_cmd: '4' })).sms_cmd_status_result).toBe('3');
    const [sent] = await list(client);
    expect(sent).toMatchObject({ number: '+4915112345678', content: encodeUcs2Hex('hello'), tag: '2', date: '26,01,01,01,00,00,+1' });
  });

  it('marks a send as failed (2) with tag 3 when the device has no service', async () => {
    await start();
    emu.device.network.setRegistration('none');
    await client.set('SEND_SMS', { Number: '123', MessageBody: encodeUcs2Hex('x'), ID: '-1', encode_type: 'GSM7_default' });
    emu.clock.advance(1000);
    expect((await client.get('sms_cmd_status_info', { sms_cmd: '4' })).sms_cmd_status_result).toBe('2');
    expect((await list(client))[0]!.tag).toBe('3');
  });

  it('round-trips unicode with emoji and a 765-character text; accepts the 5-digit emoji quirk', async () => {
    await start();
    const long = 'x'.repeat(765);
    const unicode = 'Привет 👋 мир 😎';
    await client.set('SEND_SMS', { Number: '1', MessageBody: encodeUcs2Hex(long), ID: '-1', encode_type: 'GSM7_default' });
    await client.set('SEND_SMS', { Number: '2', MessageBody: encodeUcs2Hex(unicode), ID: '-1', encode_type: 'UNICODE' });
    await client.set('SEND_SMS', { Number: '3', MessageBody: '0068' + '1F60E', ID: '-1', encode_type: 'UNICODE' });
    const messages = await list(client, { order_by: 'order by id asc' });
    expect(messages.map((m) => m.content)).toEqual([encodeUcs2Hex(long), encodeUcs2Hex(unicode), '0068D83DDE0E']);
    expect(await client.set('SEND_SMS', { Number: '1', MessageBody: encodeUcs2Hex('x'.repeat(766)), ID: '-1' })).toEqual({ result: 'failure' });
  });

  it('shows an incoming SMS unread, raises sms_received_flag, and SET_MSG_READ clears both', async () => {
    await start();
    const { message: msg } = emu.device.sms.receive({ number: 'TELKOMSEL', text: 'Your bill' }) as { message: SmsMessage };
    expect(await client.get(['sms_received_flag', 'sms_unread_num', 'sms_dev_unread_num'])).toEqual({ sms_received_flag: '1', sms_unread_num: '1', sms_dev_unread_num: '1' });
    expect((await list(client))[0]).toMatchObject({ id: String(msg.id), number: 'TELKOMSEL', tag: '1' });
    expect(await client.set('SET_MSG_READ', { msg_id: `${msg.id};`, tag: '0' })).toEqual({ result: 'success' });
    expect(await client.get(['sms_received_flag', 'sms_unread_num'])).toEqual({ sms_received_flag: '0', sms_unread_num: '0' });
  });

  it('deletes by id list, pages, filters by tag and by store', async () => {
    await start();
    for (let i = 1; i <= 7; i++) emu.device.sms.receive({ number: `+${i}`, text: `m${i}` });
    emu.device.sms.receive({ number: '+9', text: 'on sim', store: 'sim' });
    const page1 = await list(client, { data_per_page: '5', page: '1' });
    expect(page1.map((m) => m.number)).toEqual(['+2', '+1']);
    expect((await list(client, { mem_store: '0' })).map((m) => m.content)).toEqual([encodeUcs2Hex('on sim')]);
    expect(await client.set('DELETE_SMS', { msg_id: '1;2;3;', notCallback: 'true' })).toEqual({ result: 'success' });
    expect((await client.get('sms_cmd_status_info', { sms_cmd: '6' })).sms_cmd_status_result).toBe('3');
    expect((await list(client)).length).toBe(4);
    await client.set('SET_MSG_READ', { msg_id: '4;', tag: '0' });
    expect((await list(client, { tags: '1' })).map((m) => m.number)).toEqual(['+7', '+6', '+5']);
    expect(await client.get('sms_capacity_info')).toMatchObject({ sms_nvused_total: '4', sms_nv_rev_total: '4', sms_sim_rev_total: '1' });
  });

  it('saves drafts with tag 4 and sends a draft by id, replacing it', async () => {
    await start();
    expect(await client.set('SAVE_SMS', { SMSMessage: encodeUcs2Hex('later'), SMSNumber: '+111;', Index: '-1', encode_type: 'GSM7_default' })).toEqual({ result: 'success' });
    const [draft] = await list(client);
    expect(draft!.tag).toBe('4');
    await client.set('SEND_SMS', { Number: '+111', MessageBody: encodeUcs2Hex('later'), ID: draft!.id, encode_type: 'GSM7_default' });
    const after = await list(client);
    expect(after.map((m) => m.tag)).toEqual(['2']);
  });

  it('sets the message centre and validity period', async () => {
    await start();
    expect(await client.set('SET_MESSAGE_CENTER', { MessageCenter: '+491710000000', save_time: 'one_week', status_save: '1', save_location: 'native' })).toEqual({ result: 'success' });
    expect(await client.get('sms_parameter_info')).toEqual({ sms_para_sca: '+491710000000', sms_para_mem_store: 'native', sms_para_status_report: '1', sms_para_validity_period: '173' });
  });

  it('DELETE_SMS without the trailing ; works (§9.3); the strict variant is a quirk that can be switched on', async () => {
    await start('mf823');
    emu.device.sms.receive({ number: '+1', text: 'a' });
    emu.device.sms.receive({ number: '+1', text: 'b' });
    expect(await client.set('DELETE_SMS', { msg_id: '1' })).toEqual({ result: 'success' });
    expect(emu.device.state.sms.messages.map((m) => m.text)).toEqual(['b']);
    emu.device.setQuirks({ msgIdNeedsTrailingSemicolon: true });
    expect(await client.set('DELETE_SMS', { msg_id: '2' })).toEqual({ result: 'failure' });
    expect(await client.set('DELETE_SMS', { msg_id: '2;' })).toEqual({ result: 'success' });
  });

  it('mf823 quirk: control characters in a sender name are written raw in the listing', async () => {
    await start('mf823');
    emu.device.sms.receive({ number: 'A\tB', text: 'x' });
    const res = await client.raw('/goform/goform_get_cmd_process?cmd=sms_data_total&page=0&data_per_page=5&mem_store=1&tags=10');
    const text = await res.text();
    expect(text).toContain('"A\tB"');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('answers a USSD request after polling ussd_write_flag 15 -> 16', async () => {
    await start();
    expect(await client.set('USSD_PROCESS', { USSD_operator: 'ussd_send', USSD_send_number: '*100#', notCallback: 'true' })).toEqual({ result: 'success' });
    expect((await client.get('ussd_write_flag')).ussd_write_flag).toBe('15');
    emu.clock.advance(2000);
    expect((await client.get('ussd_write_flag')).ussd_write_flag).toBe('16');
    const data = await client.get('ussd_data_info');
    expect(Buffer.from(String(data.ussd_data), 'hex').swap16().toString('utf16le')).toBe('Telekom.de: your balance is 12.34 EUR.');
  });
});
