// A seat invitee for real: Alice (the demo's Team plan, 3 seats) invites a new teammate from the
// demo merchant page; the teammate follows the claim link in the invitation email to the hosted
// portal and lands on the team they joined, with a team member's sections only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signInWithCode, useDemo, waitForMail } from './support.js';

const demo = useDemo();

test('a teammate claims a seat from the invitation email and sees whose team they joined, and only their sections', async () => {
  const owner = await (await demo.browser.newContext()).newPage();
  await owner.goto(`${demo.server.url}/demo/`);
  await signInWithCode(owner, demo.server.url, 'alice@example.com');
  await owner.getByRole('heading', { name: 'Overview' }).waitFor();
  await owner.getByRole('button', { name: 'Seats', exact: true }).click();
  const seats = owner.locator('customer-portal-seats');
  const email = 'sam@team.example';
  await seats.getByLabel('Email address to invite').fill(email);
  await seats.getByRole('button', { name: 'Assign seat' }).click();
  await seats.getByText(new RegExp(`${email}\\s*Invited`)).waitFor();

  const invitation = await waitForMail(demo.server.url, email);
  const link = /https?:\/\/\S+cp_seat=[\w-]+/.exec(invitation.text)?.[0];
  assert.ok(link, 'the invitation has a claim link');

  const page = await (await demo.browser.newContext()).newPage();
  await page.goto(link);
  const team = page.locator('customer-portal-overview .team');
  await team.getByText('You joined Martin & Co’s Team plan').waitFor();
  assert.match(await team.innerText(), /Martin & Co manages this plan and its billing\./);
  assert.equal(new URL(page.url()).searchParams.has('cp_seat'), false, 'the token left the address bar');
  assert.equal(await page.getByText('No active subscriptions').count(), 0);

  const nav = page.locator('customer-portal [part="nav"]');
  await nav.getByRole('button').nth(2).waitFor();
  assert.deepEqual(await nav.getByRole('button').allInnerTexts(), ['Overview', 'Benefits', 'Account']);

  await nav.getByRole('button', { name: 'Benefits' }).click();
  await page.getByRole('heading', { name: 'Benefits', exact: true }).waitFor();
  await nav.getByRole('button', { name: 'Account' }).click();
  await page.locator('customer-portal-account').getByText(email).first().waitFor();
});
