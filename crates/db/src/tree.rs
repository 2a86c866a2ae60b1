//! Parent/child trees stored as `parent_id` (organisations, columns).

/// A row of a tree.
pub trait Node {
    fn id(&self) -> i64;
    fn parent_id(&self) -> Option<i64>;
}

/// `root` and all rows below it, breadth first, from an already loaded list.
pub fn subtree<T: Node>(all: &[T], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|n| n.parent_id() == Some(parent))
                .map(Node::id),
        );
        i += 1;
    }
    out
}

/// Ancestors from the root down to (and including) `id`, for breadcrumbs. Stops on a cycle.
pub fn path<T: Node + Clone>(all: &[T], id: i64) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    let mut cur = all.iter().find(|n| n.id() == id);
    while let Some(n) = cur {
        if out.iter().any(|seen| seen.id() == n.id()) {
            break;
        }
        out.push(n.clone());
        cur = n.parent_id().and_then(|p| all.iter().find(|x| x.id() == p));
    }
    out.reverse();
    out
}

/// Checks a proposed parent: it must exist and must not be the node itself or below it.
pub fn check_parent<T: Node>(
    all: &[T],
    id: Option<i64>,
    parent: Option<i64>,
    what: &str,
) -> Result<(), gongkai_domain::Invalid> {
    let Some(p) = parent else { return Ok(()) };
    if !all.iter().any(|n| n.id() == p) {
        return Err(gongkai_domain::Invalid::one(
            "parent_id",
            format!("上级{what}不存在"),
        ));
    }
    if let Some(id) = id
        && subtree(all, id).contains(&p)
    {
        return Err(gongkai_domain::Invalid::one(
            "parent_id",
            format!("上级{what}不能是本{what}或其下级{what}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct N(i64, Option<i64>);
    impl Node for N {
        fn id(&self) -> i64 {
            self.0
        }
        fn parent_id(&self) -> Option<i64> {
            self.1
        }
    }

    #[test]
    fn subtree_path_and_cycles() {
        let all = [N(1, None), N(2, Some(1)), N(3, Some(2)), N(4, Some(1))];
        assert_eq!(subtree(&all, 1), vec![1, 2, 4, 3]);
        assert_eq!(
            path(&all, 3).iter().map(|n| n.0).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(check_parent(&all, Some(2), Some(3), "机构").is_err());
        assert!(check_parent(&all, Some(2), Some(4), "机构").is_ok());
        assert!(check_parent(&all, None, Some(9), "机构").is_err());
        let cyclic = [N(1, Some(2)), N(2, Some(1))];
        assert_eq!(path(&cyclic, 1).len(), 2);
    }
}
