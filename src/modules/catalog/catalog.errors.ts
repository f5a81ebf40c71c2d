import { ConflictError } from '../../platform/errors.js';

export class SalesChannelNameTakenError extends ConflictError {
  constructor() {
    super('SALES_CHANNEL_NAME_TAKEN', 'A sales channel with this name already exists.', {
      errors: [{ path: '/body/name', message: 'is already used by another sales channel' }],
    });
  }
}

export class DefaultSalesChannelError extends ConflictError {
  constructor(detail: string) {
    super('DEFAULT_SALES_CHANNEL', detail);
  }
}

export class SalesChannelInUseError extends ConflictError {
  constructor() {
    super(
      'SALES_CHANNEL_IN_USE',
      'Products are published to this channel or publishable keys select it; unpublish them or move the keys first.',
    );
  }
}

export class HandleTakenError extends ConflictError {
  constructor(what: 'product' | 'category' | 'collection' = 'product') {
    super('HANDLE_TAKEN', `Another ${what} already uses this handle.`, {
      errors: [{ path: '/body/handle', message: 'is already taken' }],
    });
  }
}

export class SkuTakenError extends ConflictError {
  constructor(path: string, field: 'sku' | 'barcode' = 'sku') {
    super(field === 'sku' ? 'SKU_TAKEN' : 'BARCODE_TAKEN', `Another variant already uses this ${field}.`, {
      errors: [{ path, message: 'is already taken' }],
    });
  }
}

export class ProductHasOrdersError extends ConflictError {
  constructor() {
    super('PRODUCT_HAS_ORDERS', 'This product has been ordered and cannot be deleted; archive it instead.');
  }
}

export class LastVariantError extends ConflictError {
  constructor() {
    super('LAST_VARIANT', 'A product keeps at least one variant; delete or archive the product instead.');
  }
}

export class CategoryCycleError extends ConflictError {
  constructor() {
    super('CATEGORY_CYCLE', 'A category cannot be moved under itself or one of its descendants.', {
      errors: [{ path: '/body/parentId', message: 'would create a cycle' }],
    });
  }
}

export class CategoryHasChildrenError extends ConflictError {
  constructor() {
    super('CATEGORY_HAS_CHILDREN', 'Move or delete the sub-categories first.');
  }
}
