{#- API feeds may deliver several versions of a record. Keep one row per key:
    the first by `order_by` (latest updated_at by default). The helper column
    _version_rank is left in the output so callers pick their own columns. -#}
{% macro keep_latest(relation, key, order_by='updated_at desc') -%}
    select *
    from (
        select
            versions.*,
            row_number() over (partition by {{ key }} order by {{ order_by }}) as _version_rank
        from {{ relation }} as versions
    ) as ranked
    where _version_rank = 1
{%- endmacro %}
