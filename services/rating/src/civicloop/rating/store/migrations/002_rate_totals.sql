-- rate_counts also keeps the totals over every community, every department, and both ('*'),
-- as rating now counts each fact into all four: GetRates reads the grain it is asked for
-- instead of summing every department x community row of a year.
INSERT INTO rate_counts (department_code, community_code, month, rated, satisfied, completed,
                         on_time, closed, resolved)
SELECT coalesce(department_code, '*'), coalesce(community_code, '*'), month, sum(rated),
       sum(satisfied), sum(completed), sum(on_time), sum(closed), sum(resolved)
  FROM rate_counts
 WHERE department_code <> '*' AND community_code <> '*'
 GROUP BY GROUPING SETS ((department_code, month), (community_code, month), (month))
ON CONFLICT (department_code, community_code, month) DO NOTHING;
