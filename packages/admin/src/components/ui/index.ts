// The admin app's UI kit: import from here (`import { Button, Field, Money } from '../../components/ui'`).
export { Button, type ButtonProps, type ButtonVariant, buttonClass } from './Button';
export { CursorPager, type CursorStack, useCursorStack } from './CursorPager';
export { cx } from './cx';
export { ConfirmDialog, Dialog, DialogClose, FormDialog } from './Dialog';
export { Badge, Card, EmptyState, PageHeader, StatusBadge, type Tone } from './display';
export { Field } from './Field';
export { DateTime, formatDateTime, formatMoney, Money, type MoneyValue } from './format';
export { Checkbox, Input, Select, type SelectOption, Textarea } from './inputs';
export { DropdownMenu, type MenuItem, type TabItem, Tabs } from './menus';
export { ConflictNotice, ErrorNotice } from './notices';
export { Spinner } from './Spinner';
export { Table, TBody, Td, THead, Th, Tr } from './Table';
export { ToastProvider, useToast } from './toast';
