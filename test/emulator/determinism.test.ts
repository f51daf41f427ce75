import { afterEach, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../emulator/index.js';
import { createTestEmulator, TestClient } from '../helpers/emulator.js';
import { STATUS_POLL_KEYS } from '../helpers/poll-keys.js';

// Same seed + same steps = byte-identical API answers (issue: clock determinism).

async function script(seed: number, profile: string, emus: Emulator[]): Promise<string[]> {
  const emu = createTestEmulator({ seed, profile });
  emus.push(emu);
  const client = new TestClient(emu);
  const answers: string[] = [];
  const read = async (path: string): Promise<void> => {
    answers.push(await (await client.raw(path)).text());
  };
  await client.login();
  emu.device.wifi.join({ mac: '02:00:00:00:00:01', hostname: 'phone' });
  emu.device.sms.receive({ number: '+1', text: 'hi 👋' });
  for (let minute = 0; minute < 30; minute++) {
    emu.clock.advance(60_000);
    await read(`/goform/goform_get_cmd_process?multi_data=1&cmd=${STATUS_POLL_KEYS.join(',')}`);
  }
  await client.set('SEND_SMS', { Number: '+2', MessageBody: encodeUcs2Hex('reply'), ID: '-1' });
  emu.clock.advance(3_600_000);
  await client.login();
  await read('/goform/goform_get_cmd_process?cmd=sms_data_total&page=0&data_per_page=10&mem_store=1&tags=10');
  await read('/goform/goform_get_cmd_process?multi_data=1&cmd=imei,sim_iccid,mac_address,msisdn,cell_id,wan_ipaddr,monthly_rx_bytes,battery_vol_percent');
  await read('/goform/goform_get_cmd_process?cmd=RD');
  return answers;
}

describe('determinism', () => {
  const emus: Emulator[] = [];
  afterEach(async () => {
    for (const e of emus.splice(0)) await e.close();
  });

  it.each(['mf79u', 'mc888'])('%s: the same seed and steps give byte-identical answers', async (profile) => {
    const a = await script(11, profile, emus);
    const b = await script(11, profile, emus);
    expect(a).toHaveLength(33);
    expect((JSON.parse(a.at(-2)!) as { imei: string }).imei).toMatch(/^\d{15}$/);
    expect(b).toEqual(a);
  });

  it('a different seed gives a different device', async () => {
    const a = await script(11, 'mf79u', emus);
    const b = await script(12, 'mf79u', emus);
    expect(b.at(-2)).not.toBe(a.at(-2));
  });
});
