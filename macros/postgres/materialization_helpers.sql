{#- Postgres's answers to the materialization helpers' questions. -#}

{#- A unique, timestamped index name, so that an index of the relation
    being replaced never makes "if not exists" skip the new one. -#}
{% macro postgres__get_create_index_sql(relation, index_dict) -%}
  {%- set index = adapter.parse_index(index_dict) -%}
  {%- set columns = index.columns | join(', ') -%}
  {%- set name = index.render(relation) -%}

  create {% if index.unique -%}
    unique
  {%- endif %} index if not exists
  "{{ name }}"
  on {{ relation }} {% if index.type -%}
    using {{ index.type }}
  {%- endif %}
  ({{ columns }})
{%- endmacro %}

{#- Grants other roles hold that the current role gave. -#}
{%- macro postgres__get_show_grant_sql(relation) -%}
  select grantee, privilege_type
  from {{ adapter.quote(relation.database) ~ '.' if relation.database }}INFORMATION_SCHEMA.role_table_grants
      where grantor = current_role
        and grantee != current_role
        and table_schema = '{{ relation.schema }}'
        and table_name = '{{ relation.identifier }}'
{%- endmacro -%}

{#- A relation built anew (create, then rename over the old one) has no
    grants of the one it replaces. -#}
{% macro postgres__copy_grants() %}
    {{ return(False) }}
{% endmacro %}
