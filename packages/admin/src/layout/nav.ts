/** The sidebar's sections, in order; each needs the permission to be listed (the page itself also checks). */
export const navItems: ReadonlyArray<{ to: string; label: string; permission?: string }> = [
  { to: '/', label: 'Home' },
  { to: '/orders', label: 'Orders', permission: 'orders:read' },
  { to: '/products', label: 'Products', permission: 'catalog:read' },
  { to: '/categories', label: 'Categories', permission: 'catalog:read' },
  { to: '/collections', label: 'Collections', permission: 'catalog:read' },
  { to: '/inventory', label: 'Inventory', permission: 'inventory:read' },
  { to: '/customers', label: 'Customers', permission: 'customers:read' },
  { to: '/imports', label: 'Imports', permission: 'catalog:read' },
  { to: '/promotions', label: 'Promotions', permission: 'promotions:read' },
  { to: '/settings/regions', label: 'Regions, taxes & shipping', permission: 'settings:manage' },
  { to: '/settings/payments', label: 'Payments', permission: 'payments:manage' },
  { to: '/settings/channels', label: 'Channels & API keys', permission: 'keys:manage' },
  { to: '/settings/team', label: 'Team', permission: 'staff:read' },
  { to: '/settings/webhooks', label: 'Webhooks', permission: 'webhooks:manage' },
  { to: '/settings/audit-log', label: 'Audit log', permission: 'audit:read' },
  { to: '/settings/system', label: 'System', permission: 'events:read' },
];
