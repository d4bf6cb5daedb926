"""Sync to the credit platform (信用中国 / 全国信用信息共享平台): the pull feed, exports and push.

Reads only the outbox (`registry.models.ChangeEvent`): it never diffs tables.
"""
