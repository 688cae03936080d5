# expect: MI101 MI102 MI104
# why: Full Connect-AzureRmAccount name with a certificate login, after Disable-AzureRmContextAutosave (the AzureRM form of the autosave call).
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzureRmContextAutosave -Scope Process | Out-Null

Connect-AzureRmAccount -Identity -AccountId $IdentityClientId | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzureRmContext -SubscriptionId (Get-AzureRmContext).Subscription.Id | Out-Null

$webApps = Get-AzureRmWebApp
foreach ($app in $webApps) {
    $config = Get-AzureRmWebApp -ResourceGroupName $app.ResourceGroup -Name $app.Name
    if ($config.SiteConfig.MinTlsVersion -ne '1.2') {
        Write-Warning "$($app.Name) allows TLS below 1.2 ($($config.SiteConfig.MinTlsVersion))"
    }
}
