# expect: MI901
# why: A stale ignore[MI102] left above a login that was already migrated to -Identity suppresses nothing.
param([string] $ResourceGroupName = 'rg-aks-platform')

Disable-AzContextAutosave -Scope Process | Out-Null

Connect-AzAccount -Identity | Out-Null

$clusters = Get-AzAksCluster -ResourceGroupName $ResourceGroupName
foreach ($cluster in $clusters) {
    $upgrades = Get-AzAksUpgradeProfile -ResourceGroupName $ResourceGroupName -ClusterName $cluster.Name
    $newer = $upgrades.ControlPlaneProfileUpgrade | Where-Object { -not $_.IsPreview }
    if ($newer) {
        Write-Output "$($cluster.Name) ($($cluster.KubernetesVersion)) can move to $(($newer.KubernetesVersion | Sort-Object)[-1])"
    }
}
