/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

/**
 * A tour step that asks the test (tests/test_role_tours.py) for a screenshot of the page and
 * waits until it is taken, so the page does not change meanwhile.
 */
export function screenshot(name) {
  return {
    content: `Screenshot ${name}`,
    trigger: "body",
    run: async () => {
      // let transitions (dropdowns, notifications, charts) end
      await new Promise((resolve) => setTimeout(resolve, 600));
      window.__psmsShot = null;
      console.log(`psms-screenshot:${name}`);
      const start = Date.now();
      while (window.__psmsShot !== name) {
        if (Date.now() - start > 20000) {
          throw new Error(`screenshot ${name} not taken`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
